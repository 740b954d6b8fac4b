"""Designated handlers: the register (two people designate, a revocation takes effect at once)
and each handler's key pair, opened with their passphrase or their recovery key.

Every change to the register is audited and announced to the handlers by a content-free e-mail.
"""

import datetime
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from people.roles import COMPLIANCE_EDITORS, DESIGNATED_HANDLERS

from . import crypto
from .models import CaseKey, HandlerDesignation, HandlerKey
from .passphrases import check_passphrase
from .selectors import active_designation, active_handlers
from .tasks import notify_handlers_on_commit


def may_keep_register(*, person) -> bool:
    """Who may propose or approve a designation: compliance staff or a designated handler.

    Group membership and the register decide; no permission flag (superuser included) does.
    """
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return False
    return person.in_group(COMPLIANCE_EDITORS) or active_designation(person=person) is not None


def _notify_register_changed(*, exclude: set[int] = frozenset()) -> None:
    """Every handler in the register hears of each change to it (content-free e-mail)."""
    notify_handlers_on_commit(
        [pk for pk in active_handlers().values_list("pk", flat=True) if pk not in exclude], "register_changed"
    )


@transaction.atomic
def designate_handler(*, person, by, designated_on: datetime.date | None = None) -> HandlerDesignation:
    """Propose a person for the register. The designation takes effect only when a second,
    different person approves it (`designation_approve`)."""
    if not may_keep_register(person=by):
        raise ValidationError(_("Only compliance staff or a designated handler can propose a designation."))
    if by.pk == person.pk:
        raise ValidationError(_("Nobody can propose themselves as a handler."))
    if HandlerDesignation.objects.filter(person=person, revoked_at__isnull=True).exists():
        raise ValidationError(_("%(person)s is already designated or proposed.") % {"person": person})
    if not person.is_active:
        raise ValidationError(_("Only active accounts can be designated."))
    designation = HandlerDesignation.objects.create(
        person=person, designated_by=by, designated_on=designated_on or timezone.localdate()
    )
    audit_record(actor=by, action="hotline.handler_proposed", target=designation, detail={"person": person.pk})
    _notify_register_changed()
    return designation


@transaction.atomic
def designation_approve(*, designation: HandlerDesignation, by) -> HandlerDesignation:
    """The second person's approval: from now on the person is a designated handler."""
    designation = HandlerDesignation.objects.select_for_update().select_related("person").get(pk=designation.pk)
    person = designation.person
    if not designation.is_proposed:
        raise ValidationError(_("This designation is not waiting for approval."))
    if not may_keep_register(person=by):
        raise ValidationError(_("Only compliance staff or a designated handler can approve a designation."))
    if by.pk == person.pk:
        raise ValidationError(_("Nobody can approve their own designation."))
    if by.pk == designation.designated_by_id:
        raise ValidationError(_("A designation must be approved by someone other than the person who proposed it."))
    if not person.is_active:
        raise ValidationError(_("Only active accounts can be designated."))
    designation.approved_by = by
    designation.approved_at = timezone.now()
    designation.save(update_fields=["approved_by", "approved_at"])
    person.groups.add(Group.objects.get_or_create(name=DESIGNATED_HANDLERS)[0])
    person.__dict__.pop("_group_names", None)
    audit_record(
        actor=by,
        action="hotline.handler_designated",
        target=designation,
        detail={"person": person.pk, "proposed_by": designation.designated_by_id},
    )
    _notify_register_changed()
    return designation


@transaction.atomic
def revoke_designation(*, designation: HandlerDesignation, by) -> HandlerDesignation:
    """Revocation takes effect at once: group, case keys and key pair are removed."""
    designation = HandlerDesignation.objects.select_for_update().get(pk=designation.pk)
    if designation.revoked_at is not None:
        raise ValidationError(_("This designation has already been revoked."))
    if not may_keep_register(person=by):
        raise ValidationError(_("Only compliance staff or a designated handler can change the register."))
    person = designation.person
    designation.revoked_at = timezone.now()
    designation.revoked_by = by
    designation.save(update_fields=["revoked_at", "revoked_by"])
    removed, _counts = CaseKey.objects.filter(handler=person).delete()
    HandlerKey.objects.filter(person=person).delete()
    person.groups.remove(*Group.objects.filter(name=DESIGNATED_HANDLERS))
    audit_record(
        actor=by,
        action="hotline.handler_revoked",
        target=designation,
        detail={"person": person.pk, "case_keys_removed": removed},
    )
    _notify_register_changed()
    return designation


# --- handler keys --------------------------------------------------------------------------


def _check_passphrase(passphrase: str, *, person) -> None:
    """zxcvbn's rating, with the person's own name and address counted as known words."""
    check_passphrase(passphrase, user_inputs=[person.family_name, person.given_name, *person.email.split("@")])


def _recovery_key() -> str:
    raw = "".join(secrets.choice(crypto.RECEIPT_ALPHABET) for _ in range(32))  # 160 bits
    return "-".join(raw[i : i + 4] for i in range(0, 32, 4))


def _normalise_recovery(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def handler_key_setup(*, person, passphrase: str) -> str:
    """Create the handler's key pair; returns the recovery key, which is shown once and not kept."""
    if active_designation(person=person) is None:
        raise ValidationError(_("Only designated handlers can hold hotline keys."))
    if HandlerKey.objects.filter(person=person).exists():
        raise ValidationError(_("Your hotline key is already set up."))
    _check_passphrase(passphrase, person=person)
    public, private = crypto.generate_keypair()
    ops, mem = crypto.handler_kdf_limits()
    salt, recovery_salt = crypto.new_salt(), crypto.new_salt()
    recovery = _recovery_key()
    HandlerKey.objects.create(
        person=person,
        public_key=public,
        private_key_box=crypto.encrypt(crypto.derive_key(passphrase, salt, ops, mem), private),
        passphrase_salt=salt,
        recovery_box=crypto.encrypt(crypto.derive_key(recovery, recovery_salt, ops, mem), private),
        recovery_salt=recovery_salt,
        kdf_opslimit=ops,
        kdf_memlimit=mem,
    )
    audit_record(
        actor=person, action="hotline.key_created", target_type="whistleblowing.handlerkey", target_id=person.pk
    )
    return recovery


def handler_key_unlock(*, person, passphrase: str) -> bytes:
    """The handler's private key, opened with their passphrase. Raises ValidationError if wrong."""
    key = HandlerKey.objects.filter(person=person).first()
    if key is None or active_designation(person=person) is None:
        raise ValidationError(_("You have no hotline key."))
    try:
        private = crypto.decrypt(
            crypto.derive_key(passphrase, key.passphrase_salt, key.kdf_opslimit, key.kdf_memlimit), key.private_key_box
        )
    except crypto.DecryptionError:
        audit_record(
            actor=person,
            action="hotline.key_unlock_failed",
            target_type="whistleblowing.handlerkey",
            target_id=person.pk,
        )
        raise ValidationError(_("The passphrase is not correct."))
    audit_record(
        actor=person, action="hotline.key_unlocked", target_type="whistleblowing.handlerkey", target_id=person.pk
    )
    return private


@transaction.atomic
def handler_key_recover(*, person, recovery_key: str, new_passphrase: str) -> tuple[bytes, str]:
    """Set a new passphrase with the recovery key; returns the private key and a new recovery key."""
    key = HandlerKey.objects.select_for_update().filter(person=person).first()
    if key is None or active_designation(person=person) is None:
        raise ValidationError(_("You have no hotline key."))
    _check_passphrase(new_passphrase, person=person)
    try:
        private = crypto.decrypt(
            crypto.derive_key(_normalise_recovery(recovery_key), key.recovery_salt, key.kdf_opslimit, key.kdf_memlimit),
            key.recovery_box,
        )
    except crypto.DecryptionError:
        raise ValidationError(_("The recovery key is not correct."))
    ops, mem = crypto.handler_kdf_limits()
    salt, recovery_salt = crypto.new_salt(), crypto.new_salt()
    recovery = _recovery_key()
    key.private_key_box = crypto.encrypt(crypto.derive_key(new_passphrase, salt, ops, mem), private)
    key.passphrase_salt = salt
    key.recovery_box = crypto.encrypt(crypto.derive_key(recovery, recovery_salt, ops, mem), private)
    key.recovery_salt = recovery_salt
    key.kdf_opslimit, key.kdf_memlimit = ops, mem
    key.updated_at = timezone.now()
    key.save()
    audit_record(
        actor=person, action="hotline.key_recovered", target_type="whistleblowing.handlerkey", target_id=person.pk
    )
    return private, recovery
