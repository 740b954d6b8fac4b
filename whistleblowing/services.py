"""Writes of the hotline: intake, follow-up, keys, the register and case management.

Every service that touches a handler's access or a case's state records one audit entry;
none ever passes report content or anything about the reporter to the audit log.
"""

import datetime
import hashlib
import io
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from audit.services import audit_record
from audit.uploads import DOCX, JPEG, PDF, PNG, TEXT, FileRefused, check_file
from people.models import Person
from people.roles import COMPLIANCE_EDITORS, DESIGNATED_HANDLERS

from . import crypto
from .models import (
    Case,
    CaseEntry,
    CaseFile,
    CaseKey,
    CaseStub,
    ConflictDeclaration,
    CorrectiveMeasure,
    FollowupThrottle,
    HandlerDesignation,
    HandlerKey,
    HandlerNotice,
    IdentityRequest,
    IntakeNonce,
    ReminderLog,
)
from .passphrases import check_passphrase
from .selectors import active_designation, active_handlers, case_deadlines, receiving_handlers

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
INTAKE_NONCE_KEEP_SECONDS = 4 * 60 * 60  # as long as an intake form token is valid
FILE_DIR = "hotline"

TRANSITIONS = {
    Case.Status.RECEIVED: {Case.Status.ACKNOWLEDGED},
    Case.Status.ACKNOWLEDGED: {Case.Status.INVESTIGATING, Case.Status.CLOSED},
    Case.Status.INVESTIGATING: {Case.Status.SUBSTANTIATED, Case.Status.NOT_SUBSTANTIATED},
    Case.Status.SUBSTANTIATED: {Case.Status.CLOSED},
    Case.Status.NOT_SUBSTANTIATED: {Case.Status.CLOSED},
    Case.Status.CLOSED: set(),
}


class ReceiptRejected(Exception):
    """The receipt code did not open a case. One answer for every reason."""


class FollowupDelayed(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


# --- helpers ------------------------------------------------------------------------------


def _hour(moment: datetime.datetime) -> datetime.datetime:
    """Reporter-originated times are kept to the hour so they cannot be matched to a network log."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _storage():
    return storages["default"]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes  # what handlers get: for an image, the copy without metadata
    original: bytes | None = None  # the upload as sent, when it differs from `data`


# PDF, PNG, JPEG, Word (DOCX) or plain text, told by content (audit/uploads.py), whatever the name.
ACCEPTED = (PDF, PNG, JPEG, DOCX, TEXT)


def check_uploads(uploads: list[Upload]) -> list[CheckedFile]:
    """Size, count and content-type checks; raises ValidationError listing every problem."""
    errors = []
    if len(uploads) > MAX_FILES:
        errors.append(_("You can attach at most %(count)d files at a time.") % {"count": MAX_FILES})
    checked = []
    for upload in uploads:
        name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
        if len(upload.data) > MAX_FILE_BYTES:
            errors.append(_("%(name)s is larger than 10 MB.") % {"name": name})
            continue
        if not upload.data:
            errors.append(_("%(name)s is empty.") % {"name": name})
            continue
        try:
            content_type = check_file(upload.data, ACCEPTED).mime
        except FileRefused as refused:
            if refused.reason == "unreadable":
                errors.append(_("%(name)s could not be read as an image.") % {"name": name})
            else:
                errors.append(_("%(name)s is not a PDF, PNG, JPEG, Word (DOCX) or plain-text file.") % {"name": name})
            continue
        if content_type in IMAGE_FORMATS:
            try:
                stripped = strip_image_metadata(upload.data, content_type)
            except ValidationError:
                errors.append(_("%(name)s could not be read as an image.") % {"name": name})
                continue
            checked.append(CheckedFile(name=name, content_type=content_type, data=stripped, original=upload.data))
            continue
        checked.append(CheckedFile(name=name, content_type=content_type, data=upload.data))
    if errors:
        raise ValidationError(errors)
    return checked


IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def keep_original_images() -> bool:
    """`HOTLINE_KEEP_ORIGINAL_IMAGES`: also keep the untouched upload (encrypted) beside the working copy."""
    return bool(getattr(settings, "HOTLINE_KEEP_ORIGINAL_IMAGES", False))


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """The picture only: EXIF (GPS position, camera, owner), XMP, IPTC, comments and PNG text
    chunks are left behind. The pixels are copied into a new image, turned as EXIF said."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
            if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
                clean.info["transparency"] = upright.info["transparency"]
            if upright.mode == "P":
                clean.putpalette(upright.getpalette())
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("An image could not be read. Attach it as a PDF or take the picture again.")) from exc
    out = io.BytesIO()
    fmt = IMAGE_FORMATS[content_type]
    if fmt == "JPEG":
        clean.convert("RGB").save(out, format="JPEG", quality=95)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def _store_files(*, case: Case, report_key: bytes, files: list[CheckedFile], written: list[str]) -> None:
    """Encrypt in memory, then write only ciphertext under a random name.

    Images are stored as a working copy without metadata; the original only when
    `HOTLINE_KEEP_ORIGINAL_IMAGES` is on (hotline threat model, "Photos").
    """
    storage = _storage()

    def save(name: str, data: bytes) -> str:
        stored = storage.save(name, ContentFile(crypto.encrypt(report_key, data)))
        written.append(stored)
        return stored

    for checked in files:
        meta = {"name": checked.name, "type": checked.content_type, "size": len(checked.data)}
        stem = f"{FILE_DIR}/{secrets.token_hex(20)}"
        if checked.original is not None:
            meta["stripped"] = True
            if keep_original_images():
                # Named after the working copy, so the purge finds it without the report key.
                meta["original"] = save(original_name(f"{stem}.bin"), checked.original)
                meta["original_size"] = len(checked.original)
        CaseFile.objects.create(
            case=case,
            storage_name=save(f"{stem}.bin", checked.data),
            meta_box=crypto.encrypt_json(report_key, meta),
            created_at=_hour(timezone.now()),
        )


def original_name(storage_name: str) -> str:
    return storage_name.removesuffix(".bin") + ".original.bin"


def _remove_written(written: list[str]) -> None:
    storage = _storage()
    for name in written:
        storage.delete(name)
        if storage.exists(original_name(name)):
            storage.delete(original_name(name))


def _entry(*, case: Case, report_key: bytes, kind: str, author=None, text: str = "", notice: str = "", when=None):
    body = {"text": text}
    if notice:
        body["notice"] = notice
    return CaseEntry.objects.create(
        case=case,
        kind=kind,
        author=author,
        body_box=crypto.encrypt_json(report_key, body),
        created_at=when or timezone.now(),
    )


def _notify(handler_ids: list[int], kind: str) -> None:
    from .tasks import notify_handlers

    if handler_ids:
        transaction.on_commit(lambda: notify_handlers.enqueue(handler_ids=handler_ids, kind=kind))


# --- the register -------------------------------------------------------------------------


def may_keep_register(*, person) -> bool:
    """Who may propose or approve a designation: compliance staff or a designated handler.

    Group membership and the register decide; no permission flag (superuser included) does.
    """
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return False
    return person.in_group(COMPLIANCE_EDITORS) or active_designation(person=person) is not None


def _notify_register_changed(*, exclude: set[int] = frozenset()) -> None:
    """Every handler in the register hears of each change to it (content-free e-mail)."""
    _notify([pk for pk in active_handlers().values_list("pk", flat=True) if pk not in exclude], "register_changed")


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


# --- intake ---------------------------------------------------------------------------------


@dataclass
class ReportInput:
    category: str
    what: str
    when: str = ""
    where: str = ""
    people: str = ""
    identity: str = ""
    excluded_handler_ids: list[int] = field(default_factory=list)


@transaction.atomic
def intake_nonce_use(*, nonce: str) -> bool:
    """Record a form token as used; False when it was used before.

    The expiry is counted from the hour, not the second, so it does not date the report.
    """
    digest = hashlib.sha256(nonce.encode()).hexdigest()
    expires_at = _hour(timezone.now()) + datetime.timedelta(hours=1, seconds=INTAKE_NONCE_KEEP_SECONDS)
    try:
        with transaction.atomic():
            IntakeNonce.objects.create(digest=digest, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def report_submit(*, report: ReportInput, uploads: list[Upload]) -> tuple[Case, crypto.Receipt]:
    """File a report: encrypt everything, seal the key to the allowed handlers, return the receipt."""
    if report.category not in Case.Category.values:
        raise ValidationError(_("Choose a category."))
    if not report.what.strip():
        raise ValidationError(_("Describe what happened."))
    files = check_uploads(uploads)
    excluded = set(report.excluded_handler_ids)
    recipients = [h for h in receiving_handlers().select_related("hotline_key") if h.pk not in excluded]
    if not recipients:
        raise ValidationError(
            _("At least one designated handler must be able to read your report. Please exclude fewer handlers.")
        )
    written: list[str] = []
    try:
        with transaction.atomic():
            case, receipt = _create_case(report=report, recipients=recipients, files=files, written=written)
    except BaseException:
        _remove_written(written)
        raise
    return case, receipt


def _create_case(*, report: ReportInput, recipients, files, written) -> tuple[Case, crypto.Receipt]:
    report_key = crypto.new_key()
    ops, mem = crypto.receipt_kdf_limits()
    for _attempt in range(20):
        receipt = crypto.generate_receipt()
        if not Case.objects.filter(lookup=receipt.lookup).exists():
            break
    else:  # pragma: no cover - 20 collisions in a 2**20 space mean something else is wrong
        raise RuntimeError("could not find a free receipt lookup")
    salt = crypto.new_salt()
    now = timezone.now()
    content = {
        "what": report.what.strip(),
        "when": report.when.strip(),
        "where": report.where.strip(),
        "people": report.people.strip(),
        "excluded": sorted(report.excluded_handler_ids),
    }
    case = Case.objects.create(
        lookup=receipt.lookup,
        secret_hash=crypto.hash_receipt_secret(receipt.secret),
        reporter_salt=salt,
        reporter_key_box=crypto.encrypt(crypto.derive_key(receipt.code, salt, ops, mem), report_key),
        kdf_opslimit=ops,
        kdf_memlimit=mem,
        category=report.category,
        content_box=crypto.encrypt_json(report_key, content),
        identity_box=crypto.encrypt_json(report_key, {"identity": report.identity.strip()})
        if report.identity.strip()
        else None,
        received_at=_hour(now),
        pending_notice="new_case",
    )
    CaseKey.objects.bulk_create(
        CaseKey(
            case=case,
            handler=handler,
            sealed_key=crypto.seal(handler.hotline_key.public_key, report_key),
            created_at=_hour(now),
        )
        for handler in recipients
    )
    _store_files(case=case, report_key=report_key, files=files, written=written)
    return case, receipt


# --- follow-up by the reporter ----------------------------------------------------------------


def _throttle_settings() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "HOTLINE_THROTTLE_FREE_FAILURES", 5)),
        # Short, because the wait falls on everyone, honest reporters included (see the threat model).
        int(getattr(settings, "HOTLINE_THROTTLE_MAX_DELAY_SECONDS", 10)),
        int(getattr(settings, "HOTLINE_THROTTLE_RESET_SECONDS", 3600)),
    )


def followup_delay_remaining(*, now: datetime.datetime | None = None) -> int:
    """Seconds every client must still wait before the next receipt code is checked."""
    now = now or timezone.now()
    free, max_delay, reset = _throttle_settings()
    row = FollowupThrottle.objects.filter(pk=1).first()
    if row is None or row.last_failure_at is None or row.failures < free:
        return 0
    if (now - row.last_failure_at).total_seconds() >= reset:
        return 0
    delay = min(2 ** (row.failures - free), max_delay)
    remaining = delay - (now - row.last_failure_at).total_seconds()
    return max(0, int(remaining + 0.999))


@transaction.atomic
def _record_failure() -> None:
    now = timezone.now()
    _free, _max_delay, reset = _throttle_settings()
    row, _created = FollowupThrottle.objects.select_for_update().get_or_create(pk=1)
    if row.last_failure_at is not None and (now - row.last_failure_at).total_seconds() >= reset:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    row.save()


def followup_open(*, code: str) -> tuple[Case, bytes]:
    """Open a case with its receipt code; returns the case and its report key (kept only in memory).

    Raises FollowupDelayed while the global delay runs and ReceiptRejected for any wrong code;
    an unknown lookup part and a wrong secret part both cost one Argon2id verification.
    """
    remaining = followup_delay_remaining()
    if remaining:
        raise FollowupDelayed(remaining)
    dummy = crypto.dummy_receipt_hash()  # made before the lookup, so its one-off cost tells nothing
    receipt = crypto.parse_receipt(code)
    case = Case.objects.filter(lookup=receipt.lookup).first() if receipt else None
    secret = receipt.secret if receipt else code
    ok = crypto.verify_receipt_secret(case.secret_hash if case else dummy, secret)
    if not (case and ok):
        _record_failure()
        raise ReceiptRejected
    wrap = crypto.derive_key(receipt.code, case.reporter_salt, case.kdf_opslimit, case.kdf_memlimit)
    try:
        report_key = crypto.decrypt(wrap, case.reporter_key_box)
    except crypto.DecryptionError:
        _record_failure()
        raise ReceiptRejected
    # A correct code ends the delay others' mistakes caused: the next reporter does not wait for
    # them. (Someone holding their own receipt could reset it too, but every guess still costs an
    # Argon2id verification against an 80-bit secret.) No time is written.
    FollowupThrottle.objects.filter(pk=1, failures__gt=0).update(failures=0, last_failure_at=None)
    reseal_waiting_case(case=case, report_key=report_key)
    return case, report_key


def reporter_reply(*, case: Case, report_key: bytes, text: str, uploads: list[Upload]) -> CaseEntry | None:
    """The reporter adds information or files to their case."""
    if case.is_closed:
        raise ValidationError(_("This case is closed. You can no longer add information."))
    text = text.strip()
    files = check_uploads(uploads)
    if not text and not files:
        raise ValidationError(_("Write a message or attach a file."))
    written: list[str] = []
    try:
        with transaction.atomic():
            crypto.decrypt(report_key, case.content_box)  # the key must belong to this case
            when = _hour(timezone.now())
            entry = None
            if text:
                entry = _entry(case=case, report_key=report_key, kind=CaseEntry.Kind.REPORTER, text=text, when=when)
            _store_files(case=case, report_key=report_key, files=files, written=written)
            # A case whose handlers have not yet heard of it stays "new_case".
            Case.objects.filter(pk=case.pk).update(reporter_updated_at=when)
            Case.objects.filter(pk=case.pk, pending_notice="").update(pending_notice="reporter_update")
    except BaseException:
        _remove_written(written)
        raise
    return entry


# --- case management by handlers ---------------------------------------------------------------


class CaseAccessDenied(Exception):
    pass


def case_report_key(*, case: Case, handler, private_key: bytes) -> bytes:
    """Open the handler's sealed copy of the report key; the register is checked on each call."""
    if active_designation(person=handler) is None:
        raise CaseAccessDenied
    case_key = CaseKey.objects.filter(case=case, handler=handler).first()
    if case_key is None:
        raise CaseAccessDenied
    try:
        return crypto.unseal(private_key, case_key.sealed_key)
    except crypto.DecryptionError:
        raise CaseAccessDenied


@dataclass
class OpenedCase:
    case: Case
    content: dict
    has_identity: bool
    entries: list[tuple[CaseEntry, dict]]
    files: list[tuple[CaseFile, dict]]
    measures: list[tuple[CorrectiveMeasure, dict]]


def decrypt_entries(*, case: Case, report_key: bytes, for_reporter: bool) -> list[tuple[CaseEntry, dict]]:
    entries = case.entries.select_related("author").order_by("id")
    if for_reporter:
        entries = entries.exclude(kind=CaseEntry.Kind.NOTE)
    return [(entry, crypto.decrypt_json(report_key, entry.body_box)) for entry in entries]


def decrypt_files(*, case: Case, report_key: bytes) -> list[tuple[CaseFile, dict]]:
    return [(f, crypto.decrypt_json(report_key, f.meta_box)) for f in case.files.order_by("id")]


def case_open(*, case: Case, handler, report_key: bytes) -> OpenedCase:
    """Decrypt a case for a handler's screen; recorded in the audit log."""
    opened = OpenedCase(
        case=case,
        content=crypto.decrypt_json(report_key, case.content_box),
        has_identity=case.identity_box is not None,
        entries=decrypt_entries(case=case, report_key=report_key, for_reporter=False),
        files=decrypt_files(case=case, report_key=report_key),
        measures=[(m, crypto.decrypt_json(report_key, m.details_box)) for m in case.measures.all()],
    )
    audit_record(actor=handler, action="hotline.case_decrypted", target=case)
    return opened


def case_file_open(*, case_file: CaseFile, handler, report_key: bytes, original: bool = False) -> tuple[dict, bytes]:
    """The handler's working copy (an image without its metadata), or with `original` the
    untouched upload where `HOTLINE_KEEP_ORIGINAL_IMAGES` kept one."""
    meta = crypto.decrypt_json(report_key, case_file.meta_box)
    name = case_file.storage_name
    if original:
        if "original" not in meta:
            raise ValidationError(_("No original is kept for this file."))
        name = meta["original"]
    with _storage().open(name, "rb") as handle:
        data = crypto.decrypt(report_key, handle.read())
    detail = {"file": case_file.pk, "original": True} if original else {"file": case_file.pk}
    audit_record(actor=handler, action="hotline.file_decrypted", target=case_file.case, detail=detail)
    return meta, data


@transaction.atomic
def identity_request(*, case: Case, handler, report_key: bytes, reason: str) -> IdentityRequest:
    """Ask to read the reporter's identity. A second handler on the case must approve it."""
    if case.identity_box is None:
        raise ValidationError(_("The reporter did not give their identity."))
    if len(reason.strip()) < 10:
        raise ValidationError(_("Give the reason why you need the reporter's identity."))
    crypto.decrypt(report_key, case.content_box)  # proves the handler holds this case's key
    if IdentityRequest.objects.filter(case=case, requested_by=handler).exists():
        raise ValidationError(_("You have already asked to see the reporter's identity."))
    request = IdentityRequest.objects.create(
        case=case,
        requested_by=handler,
        reason_box=crypto.encrypt_json(report_key, {"reason": reason.strip()}),
    )
    _entry(
        case=case,
        report_key=report_key,
        kind=CaseEntry.Kind.NOTE,
        author=handler,
        text=_("Asked to see the reporter's identity. Reason: %(reason)s") % {"reason": reason.strip()},
    )
    audit_record(actor=handler, action="hotline.identity_requested", target=case, detail={"request": request.pk})
    # The other handlers on the case are asked to look (content-free, like every hotline e-mail).
    _notify(list(case.keys.exclude(handler=handler).values_list("handler_id", flat=True)), "identity_request")
    return request


@transaction.atomic
def identity_approve(*, identity_request: IdentityRequest, handler, report_key: bytes) -> IdentityRequest:
    """A second handler on the case approves another handler's request; never their own."""
    identity_request = IdentityRequest.objects.select_for_update().select_related("case").get(pk=identity_request.pk)
    case = identity_request.case
    if identity_request.requested_by_id == handler.pk:
        raise ValidationError(_("Another handler on the case must approve your request."))
    if identity_request.is_approved:
        raise ValidationError(_("This request has already been approved."))
    crypto.decrypt(report_key, case.content_box)  # the approver holds this case's key too
    identity_request.approved_by = handler
    identity_request.approved_at = timezone.now()
    identity_request.save(update_fields=["approved_by", "approved_at"])
    _entry(
        case=case,
        report_key=report_key,
        kind=CaseEntry.Kind.NOTE,
        author=handler,
        text=_("Approved %(person)s's request to see the reporter's identity.")
        % {"person": identity_request.requested_by},
    )
    audit_record(
        actor=handler,
        action="hotline.identity_request_approved",
        target=case,
        detail={"request": identity_request.pk, "requested_by": identity_request.requested_by_id},
    )
    return identity_request


@transaction.atomic
def identity_reveal(*, case: Case, handler, report_key: bytes) -> str:
    """The reporter's optional identity, only for a handler whose request a second handler approved."""
    if case.identity_box is None:
        raise ValidationError(_("The reporter did not give their identity."))
    approved = IdentityRequest.objects.filter(case=case, requested_by=handler, approved_at__isnull=False).first()
    if approved is None:
        raise ValidationError(_("A second handler on the case must approve your request first."))
    identity = crypto.decrypt_json(report_key, case.identity_box)["identity"]
    note = _("Viewed the reporter's identity.")
    _entry(case=case, report_key=report_key, kind=CaseEntry.Kind.NOTE, author=handler, text=note)
    audit_record(
        actor=handler,
        action="hotline.identity_viewed",
        target=case,
        detail={"request": approved.pk, "approved_by": approved.approved_by_id},
    )
    return identity


@transaction.atomic
def conflict_declare(*, case: Case, handler, has_conflict: bool) -> ConflictDeclaration:
    """Declaring a conflict removes the handler's own key for the case at once."""
    if ConflictDeclaration.objects.filter(case=case, handler=handler).exists():
        raise ValidationError(_("You have already made your declaration for this case."))
    if not CaseKey.objects.filter(case=case, handler=handler).exists():
        raise CaseAccessDenied
    declaration = ConflictDeclaration.objects.create(case=case, handler=handler, has_conflict=has_conflict)
    waits = False
    if has_conflict:
        CaseKey.objects.filter(case=case, handler=handler).delete()
        # A sole handler steps aside too: nobody can read the case until the reporter next opens
        # it with the receipt code, which seals it to the handlers then in the register (see
        # `reseal_waiting_case`). The register's owners are told to designate someone.
        waits = not case.keys.exists()
        if waits:
            _notify(
                list(
                    Person.objects.filter(is_active=True, groups__name=COMPLIANCE_EDITORS)
                    .exclude(pk=handler.pk)
                    .values_list("pk", flat=True)
                    .distinct()
                ),
                "awaiting_handler",
            )
    audit_record(
        actor=handler,
        action="hotline.conflict_declared",
        target=case,
        detail={"has_conflict": has_conflict, "case_waits_for_handler": waits},
    )
    return declaration


def reseal_waiting_case(*, case: Case, report_key: bytes) -> int:
    """When the reporter opens a case nobody can read (its only handler declared a conflict),
    seal it to the handlers now in the register, except those the reporter excluded and those
    who declared a conflict on it. Returns how many handlers were given it.

    Reporter actions are not audited (that would time them); the case keys carry the hour only,
    and the handlers hear of it from the hourly batch like a new report.
    """
    if case.is_closed or case.keys.exists():
        return 0
    content = crypto.decrypt_json(report_key, case.content_box)
    barred = set(content.get("excluded", [])) | set(
        ConflictDeclaration.objects.filter(case=case, has_conflict=True).values_list("handler_id", flat=True)
    )
    recipients = [h for h in receiving_handlers().select_related("hotline_key") if h.pk not in barred]
    if not recipients:
        return 0
    when = _hour(timezone.now())
    with transaction.atomic():
        CaseKey.objects.bulk_create(
            CaseKey(
                case=case,
                handler=handler,
                sealed_key=crypto.seal(handler.hotline_key.public_key, report_key),
                created_at=when,
            )
            for handler in recipients
        )
        Case.objects.filter(pk=case.pk).update(pending_notice="new_case")
    return len(recipients)


NOTICE_FOR_STATUS = {
    Case.Status.ACKNOWLEDGED: "acknowledged",
    Case.Status.INVESTIGATING: "investigating",
    Case.Status.SUBSTANTIATED: "substantiated",
    Case.Status.NOT_SUBSTANTIATED: "not_substantiated",
}


@transaction.atomic
def case_change_status(*, case: Case, handler, report_key: bytes, status: str, text: str = "") -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    old = case.status
    if status not in TRANSITIONS.get(old, set()):
        raise ValidationError(
            _("A case cannot move from %(old)s to %(new)s.")
            % {
                "old": Case.Status(old).label,
                "new": Case.Status(status).label if status in Case.Status.values else status,
            }
        )
    crypto.decrypt(report_key, case.content_box)  # proves the handler holds this case's key
    now = timezone.now()
    notice = NOTICE_FOR_STATUS.get(status, "")
    if status == Case.Status.ACKNOWLEDGED:
        case.acknowledged_at = now
    if status in (Case.Status.INVESTIGATING, Case.Status.CLOSED) and case.investigation_notice_at is None:
        case.investigation_notice_at = now
    if status in (Case.Status.SUBSTANTIATED, Case.Status.NOT_SUBSTANTIATED, Case.Status.CLOSED):
        case.feedback_at = case.feedback_at or now
    if status == Case.Status.CLOSED:
        if old == Case.Status.SUBSTANTIATED:
            if not case.measures.exists():
                raise ValidationError(
                    _(
                        "Record the corrective measures (owner, due date, check date) "
                        "before closing a substantiated case."
                    )
                )
            case.outcome = Case.Outcome.SUBSTANTIATED
            notice = "closed_with_measures"
        elif old == Case.Status.NOT_SUBSTANTIATED:
            case.outcome = Case.Outcome.NOT_SUBSTANTIATED
            notice = "closed"
        else:
            case.outcome = Case.Outcome.NOT_INVESTIGATED
            notice = "closed_without_investigation"
        case.closed_at = now
    case.status = status
    case.save()
    _entry(
        case=case, report_key=report_key, kind=CaseEntry.Kind.NOTICE, author=handler, text=text.strip(), notice=notice
    )
    audit_record(actor=handler, action="hotline.status_changed", target=case, detail={"from": old, "to": status})
    return case


@transaction.atomic
def case_add_entry(
    *, case: Case, handler, report_key: bytes, kind: str, text: str, is_feedback: bool = False
) -> CaseEntry:
    if kind not in (CaseEntry.Kind.MESSAGE, CaseEntry.Kind.NOTE):
        raise ValidationError(_("Unknown kind of entry."))
    if not text.strip():
        raise ValidationError(_("Write something first."))
    if kind == CaseEntry.Kind.MESSAGE and case.is_closed:
        raise ValidationError(_("The case is closed; the reporter can no longer be written to."))
    crypto.decrypt(report_key, case.content_box)
    entry = _entry(case=case, report_key=report_key, kind=kind, author=handler, text=text.strip())
    if kind == CaseEntry.Kind.MESSAGE and is_feedback and case.feedback_at is None:
        Case.objects.filter(pk=case.pk).update(feedback_at=timezone.now())
    action = "hotline.message_sent" if kind == CaseEntry.Kind.MESSAGE else "hotline.note_added"
    audit_record(actor=handler, action=action, target=case, detail={"entry": entry.pk})
    return entry


@transaction.atomic
def case_grant(*, case: Case, granter, grantee, report_key: bytes) -> CaseKey:
    """Seal the report key to another designated handler, unless the reporter excluded them."""
    content = crypto.decrypt_json(report_key, case.content_box)
    if grantee.pk in set(content.get("excluded", [])):
        raise ValidationError(_("The reporter asked that this handler must not see the report."))
    if active_designation(person=grantee) is None:
        raise ValidationError(_("Only designated handlers can be given a case."))
    key = HandlerKey.objects.filter(person=grantee).first()
    if key is None:
        raise ValidationError(_("This handler has not set up their hotline key yet."))
    if ConflictDeclaration.objects.filter(case=case, handler=grantee, has_conflict=True).exists():
        raise ValidationError(_("This handler declared a conflict of interest on this case."))
    if CaseKey.objects.filter(case=case, handler=grantee).exists():
        raise ValidationError(_("This handler can already open the case."))
    case_key = CaseKey.objects.create(
        case=case, handler=grantee, sealed_key=crypto.seal(key.public_key, report_key), granted_by=granter
    )
    audit_record(actor=granter, action="hotline.case_granted", target=case, detail={"grantee": grantee.pk})
    _notify([grantee.pk], "new_case")
    return case_key


@transaction.atomic
def measure_add(
    *,
    case: Case,
    handler,
    report_key: bytes,
    description: str,
    owner: str,
    due_on: datetime.date,
    check_on: datetime.date,
) -> CorrectiveMeasure:
    if case.status not in (Case.Status.SUBSTANTIATED,):
        raise ValidationError(_("Corrective measures are recorded for substantiated cases."))
    if not description.strip() or not owner.strip():
        raise ValidationError(_("Describe the measure and name its owner."))
    if check_on < due_on:
        raise ValidationError(_("The check date cannot be before the due date."))
    crypto.decrypt(report_key, case.content_box)
    measure = CorrectiveMeasure.objects.create(
        case=case,
        details_box=crypto.encrypt_json(report_key, {"description": description.strip(), "owner": owner.strip()}),
        due_on=due_on,
        check_on=check_on,
        created_by=handler,
    )
    audit_record(actor=handler, action="hotline.measure_added", target=case, detail={"measure": measure.pk})
    return measure


def record_case_list_view(*, handler) -> None:
    """No count of cases: successive counts with the entries' exact times would date each arrival."""
    audit_record(actor=handler, action="hotline.case_list_viewed")


def record_case_view(*, handler, case: Case, page: str) -> None:
    audit_record(actor=handler, action="hotline.case_viewed", target=case, detail={"page": page})


# --- reminders and retention ----------------------------------------------------------------


def send_pending_notifications() -> int:
    """E-mail handlers about new cases and new information, in a batch run by cron.

    Reporters' actions only mark the case; this run (hourly, say) sends the content-free
    e-mails, one per handler, so neither a task row nor an e-mail's Date header times a
    report to the second. Taking the marks turns them into one `HandlerNotice` per handler
    in the same transaction; each notice is deleted in the transaction that sends its e-mail,
    so a run that dies half-way leaves the rest for the next one (and the window for a
    duplicate is the one described in `portal.mail.send_once`).
    """
    from .tasks import send_handler_mail

    with transaction.atomic():
        pending = list(Case.objects.select_for_update().exclude(pending_notice="").values_list("pk", "pending_notice"))
        kinds: dict[int, set[str]] = {}
        for case_id, kind in pending:
            for handler_id in CaseKey.objects.filter(case_id=case_id).values_list("handler_id", flat=True):
                kinds.setdefault(handler_id, set()).add(kind)
        for handler_id, handler_kinds in kinds.items():
            kind = "new_case" if "new_case" in handler_kinds else "reporter_update"
            notice, created = HandlerNotice.objects.select_for_update().get_or_create(
                handler_id=handler_id, defaults={"kind": kind}
            )
            if not created and kind == "new_case" and notice.kind != kind:
                notice.kind = kind
                notice.save(update_fields=["kind"])
        Case.objects.filter(pk__in=[case_id for case_id, _kind in pending]).update(pending_notice="")
    receiving = set(receiving_handlers().values_list("pk", flat=True))
    sent = 0
    for notice_id in HandlerNotice.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            notice = (
                HandlerNotice.objects.select_for_update(skip_locked=True).select_related("handler").filter(pk=notice_id)
            ).first()
            if notice is None:
                continue  # another run is sending it, or has sent it
            if notice.handler_id in receiving:  # a handler revoked since gets nothing
                send_handler_mail(handler=notice.handler, kind=notice.kind)
                sent += 1
            notice.delete()
    return sent


def send_deadline_reminders(*, today: datetime.date | None = None) -> int:
    """One content-free e-mail a day to each handler who holds a case with a deadline due or overdue."""
    from .tasks import send_handler_mail

    today = today or timezone.localdate()
    handler_ids: set[int] = set()
    for case in Case.objects.exclude(status=Case.Status.CLOSED).prefetch_related("keys"):
        if any(d.overdue or d.due_soon for d in case_deadlines(case, today=today)):
            handler_ids.update(k.handler_id for k in case.keys.all())
    sent = 0
    for handler in receiving_handlers().filter(pk__in=handler_ids):
        # The day's record commits together with the send (see portal.mail.send_once): a crash
        # before the mail is out leaves no record, so a re-run sends it rather than losing it.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(handler=handler, sent_on=today)
            except IntegrityError:
                continue
            send_handler_mail(handler=handler, kind="reminder")
        sent += 1
    return sent


def retention_days() -> int:
    return int(getattr(settings, "HOTLINE_RETENTION_DAYS", 3 * 365))


def purge_expired_cases(*, now: datetime.datetime | None = None) -> int:
    """Destroy closed cases older than the retention period; leave month, category and outcome."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    purged = 0
    for case_id in Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff).values_list("pk", flat=True):
        names = _purge_one(case_id=case_id, now=now)
        _remove_written(names)
        purged += 1
    IntakeNonce.objects.filter(expires_at__lt=now).delete()
    ReminderLog.objects.filter(sent_on__lt=(now - datetime.timedelta(days=30)).date()).delete()
    return purged


@transaction.atomic
def _purge_one(*, case_id: int, now: datetime.datetime) -> list[str]:
    case = Case.objects.select_for_update().get(pk=case_id)
    names = list(case.files.values_list("storage_name", flat=True))
    CaseStub.objects.create(
        received_month=timezone.localtime(case.received_at).date().replace(day=1),
        category=case.category,
        outcome=case.outcome,
        purged_at=now,
    )
    audit_record(actor=None, action="hotline.case_purged", target=case, detail={"files": len(names)})
    case.delete()
    return names
