"""What handlers do with a case: open it, move its status, write to the reporter, add notes and
measures, give it to another handler, ask for the reporter's identity, declare a conflict.

Every service that touches a handler's access or a case's state records one audit entry;
none ever passes report content or anything about the reporter to the audit log.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from people.models import Person
from people.roles import COMPLIANCE_EDITORS

from . import crypto
from .models import (
    Case,
    CaseEntry,
    CaseFile,
    CaseKey,
    ConflictDeclaration,
    CorrectiveMeasure,
    HandlerKey,
    IdentityRequest,
)
from .records import file_storage, to_the_hour, write_entry
from .selectors import active_designation, receiving_handlers
from .tasks import notify_handlers_on_commit

TRANSITIONS = {
    Case.Status.RECEIVED: {Case.Status.ACKNOWLEDGED},
    Case.Status.ACKNOWLEDGED: {Case.Status.INVESTIGATING, Case.Status.CLOSED},
    Case.Status.INVESTIGATING: {Case.Status.SUBSTANTIATED, Case.Status.NOT_SUBSTANTIATED},
    Case.Status.SUBSTANTIATED: {Case.Status.CLOSED},
    Case.Status.NOT_SUBSTANTIATED: {Case.Status.CLOSED},
    Case.Status.CLOSED: set(),
}


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
    with file_storage().open(name, "rb") as handle:
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
    write_entry(
        case=case,
        report_key=report_key,
        kind=CaseEntry.Kind.NOTE,
        author=handler,
        text=_("Asked to see the reporter's identity. Reason: %(reason)s") % {"reason": reason.strip()},
    )
    audit_record(actor=handler, action="hotline.identity_requested", target=case, detail={"request": request.pk})
    # The other handlers on the case are asked to look (content-free, like every hotline e-mail).
    notify_handlers_on_commit(
        list(case.keys.exclude(handler=handler).values_list("handler_id", flat=True)), "identity_request"
    )
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
    write_entry(
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
    write_entry(case=case, report_key=report_key, kind=CaseEntry.Kind.NOTE, author=handler, text=note)
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
            notify_handlers_on_commit(
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
    when = to_the_hour(timezone.now())
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
    write_entry(
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
    entry = write_entry(case=case, report_key=report_key, kind=kind, author=handler, text=text.strip())
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
    notify_handlers_on_commit([grantee.pk], "new_case")
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
