"""Monitoring writes: uploads, and the auditors' work on findings.

Every function checks that the actor is a compliance auditor (group membership; the superuser
flag and model permissions open nothing here) and writes one audit entry per change.
"""

import datetime as dt
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from people import roles
from people.models import Company, Person
from training.services import assignment_assign_remedial

from .auditors import require_auditor
from .importing import log_import_receive
from .models import ContractPurpose, Finding, FindingNote, LogImport, LogSource, Rule, System, SystemAccount, Terminal
from .register import register_upsert
from .retention import event_retention_days, events_purge  # noqa: F401 (part of the services)
from .tasks import import_access_log, recheck_events

SCOPES = ("person", "unit")
UNCHANGED = object()  # an argument left out: keep what the finding has (None clears the assignee)


@transaction.atomic
def log_import_upload(*, source: LogSource, filename: str, content: bytes | BinaryIO, by: Person) -> LogImport:
    """An auditor's upload: registered now, imported by the task worker after the commit.

    The same file again returns its first import and queues nothing.
    """
    require_auditor(by)
    if not source.is_active:
        raise ValidationError(_("This log source is switched off."))
    log_import, is_new = log_import_receive(
        source=source, filename=filename, content=content, by=by, via=LogImport.Via.UPLOAD, keep_content=True
    )
    audit_record(
        actor=by,
        action="monitoring.log_uploaded",
        target=log_import,
        detail={"source": source.code, "filename": log_import.filename, "new": is_new},
    )
    if is_new:
        transaction.on_commit(lambda: import_access_log.enqueue(log_import.pk))
    return log_import


@transaction.atomic
def finding_update(
    *,
    finding: Finding,
    by: Person,
    status: str | None = None,
    assignee: Person | None | object = UNCHANGED,
    outcome: str | None = None,
) -> Finding:
    """Change a finding's status, assignee (None: nobody) or outcome. Closing needs an outcome."""
    require_auditor(by)
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    before = {"status": locked.status, "assignee": locked.assignee_id, "outcome": locked.outcome}
    if assignee is not UNCHANGED:
        if assignee is not None and (not assignee.is_active or not assignee.in_group(roles.COMPLIANCE_AUDITORS)):
            raise ValidationError(_("A finding can only be assigned to an active compliance auditor."))
        locked.assignee = assignee
    if outcome is not None:
        if outcome and outcome not in Finding.Outcome.values:
            raise ValidationError(_("Unknown outcome."))
        locked.outcome = outcome
    if status is not None:
        if status not in Finding.Status.values:
            raise ValidationError(_("Unknown status."))
        locked.status = status
    if locked.status == Finding.Status.CLOSED:
        if not locked.outcome:
            raise ValidationError(_("Give the outcome before closing the finding."))
        locked.closed_at = locked.closed_at or timezone.now()
    else:
        locked.closed_at = None
    after = {"status": locked.status, "assignee": locked.assignee_id, "outcome": locked.outcome}
    if after == before:
        return locked
    locked.save(update_fields=["status", "assignee", "outcome", "closed_at"])
    audit_record(
        actor=by,
        action="monitoring.finding_updated",
        target=locked,
        detail={k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]},
    )
    return locked


@transaction.atomic
def finding_note_add(*, finding: Finding, by: Person, text: str) -> FindingNote:
    require_auditor(by)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the note first."))
    note = FindingNote.objects.create(finding=finding, author=by, text=text)
    audit_record(actor=by, action="monitoring.finding_note_added", target=finding, detail={"note": note.pk})
    return note


@transaction.atomic
def finding_assign_training(*, finding: Finding, by: Person, module, scope: str = "person") -> list:
    """Assign a module to the finding's person, or to every active person of the finding's unit.

    People who already have the module open for this cycle are skipped. Returns the new assignments.
    """
    require_auditor(by)
    if scope not in SCOPES:
        raise ValidationError(_("Assign to the person or to their unit."))
    if scope == "person":
        if finding.person is None:
            raise ValidationError(_("Nobody holds this id in the register; there is no person to assign."))
        people = [finding.person]
    else:
        if finding.unit is None:
            raise ValidationError(_("This finding has no unit."))
        people = list(Person.objects.filter(unit=finding.unit, is_active=True).order_by("pk"))
    reason = _("Finding %(key)s") % {"key": finding.key}
    created, skipped = [], []
    for person in people:
        try:
            created.append(assignment_assign_remedial(person=person, module=module, actor=by, reason=reason))
        except ValidationError:
            if scope == "person":
                raise
            skipped.append(person.pk)
    audit_record(
        actor=by,
        action="monitoring.finding_training_assigned",
        target=finding,
        detail={
            "module": module.pk,
            "scope": scope,
            "assignments": [a.pk for a in created],
            "skipped_people": skipped,
        },
    )
    return created


@transaction.atomic
def rule_update(*, rule: Rule, by: Person, enabled: bool, params: dict) -> Rule:
    """Switch a rule on or off and set its figures; audited. Findings already made stay."""
    require_auditor(by)
    before = {"enabled": rule.enabled, "params": rule.params}
    rule.enabled = enabled
    rule.params = params
    rule.save(update_fields=["enabled", "params", "updated_at"])
    audit_record(
        actor=by,
        action="monitoring.rule_changed",
        target=rule,
        detail={"before": before, "after": {"enabled": enabled, "params": params}},
    )
    return rule


# --- What the rules know of the world: terminals and contract purposes ------------------------------
# A change here changes what the logs already imported mean, so the days it touches are checked
# again in the background once it commits; findings already made stay, as with a rule switched off.


@transaction.atomic
def terminal_save(*, by: Person, code: str, location: str = "", is_shared_office: bool = False) -> Terminal:
    """Register a terminal (by its code in the logs) or change where it is; audited.

    Marking it as in an office shared with the retailer checks its views already imported again.
    """
    require_auditor(by)
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Give the terminal's code as the logs show it.")})
    terminal = Terminal.objects.select_for_update().filter(code=code).first()
    before = None if terminal is None else {"location": terminal.location, "shared": terminal.is_shared_office}
    after = {"location": (location or "").strip(), "shared": is_shared_office}
    if after == before:
        return terminal
    terminal = terminal or Terminal(code=code)
    terminal.location, terminal.is_shared_office = after["location"], is_shared_office
    terminal.full_clean()
    terminal.save()
    audit_record(
        actor=by, action="monitoring.terminal_changed", target=terminal, detail={"before": before, "after": after}
    )
    if is_shared_office and not (before or {}).get("shared"):
        transaction.on_commit(lambda: recheck_events.enqueue(terminal=code))
    return terminal


@transaction.atomic
def contract_purpose_save(
    *,
    by: Person,
    purpose: ContractPurpose | None = None,
    company: Company,
    name: str,
    systems: list[str],
    allowed_record_types: list[str],
    valid_from,
    valid_until=None,
) -> ContractPurpose:
    """Add a contract purpose (`purpose` None) or change one; audited, and the company's views checked again.

    No record types allows every record type of the systems chosen.
    """
    require_auditor(by)
    errors = {}
    if company.kind != Company.Kind.CONTRACTOR:
        errors["company"] = _("Contract purposes are for contractor companies.")
    systems = [system for system in System.values if system in set(systems or [])]
    if not systems:
        errors["systems"] = _("Choose at least one system the contract covers.")
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = _("The contract cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    record_types = sorted({value.strip() for value in allowed_record_types or [] if value.strip()})
    if purpose is not None:
        purpose = ContractPurpose.objects.select_for_update().get(pk=purpose.pk)
    fields = {
        "company": company.pk,
        "name": (name or "").strip(),
        "systems": systems,
        "allowed_record_types": record_types,
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
    before = None if purpose is None else _contract_fields(purpose)
    if fields == before:
        return purpose
    purpose = purpose or ContractPurpose()
    purpose.company, purpose.name, purpose.systems = company, fields["name"], systems
    purpose.allowed_record_types, purpose.valid_from, purpose.valid_until = record_types, valid_from, valid_until
    purpose.full_clean()
    purpose.save()
    detail = {"before": before, "after": fields}
    audit_record(actor=by, action="monitoring.contract_purpose_changed", target=purpose, detail=detail)
    company_ids = {company.pk, before["company"] if before else company.pk}
    for company_id in company_ids:
        transaction.on_commit(lambda company_id=company_id: recheck_events.enqueue(company_id=company_id))
    return purpose


def _contract_fields(purpose: ContractPurpose) -> dict:
    return {
        "company": purpose.company_id,
        "name": purpose.name,
        "systems": list(purpose.systems),
        "allowed_record_types": list(purpose.allowed_record_types),
        "valid_from": purpose.valid_from.isoformat(),
        "valid_until": purpose.valid_until.isoformat() if purpose.valid_until else None,
    }


LOG_SOURCE_FIELDS = (
    "code",
    "name",
    "system",
    "encoding",
    "delimiter",
    "time_zone",
    "time_format",
    "columns",
    "non_public_record_types",
    "new_entrant_values",
    "is_active",
)


@transaction.atomic
def log_source_save(*, by: Person, source: LogSource | None = None, **fields) -> LogSource:
    """Add a log source (`source` None) or change how its file reads; audited.

    A changed list of non-public record types gives the source's views already imported a new
    meaning: they are checked again. Files already imported are not read again.
    """
    require_auditor(by)
    fields["non_public_record_types"] = _listed(fields.get("non_public_record_types"))
    fields["new_entrant_values"] = _listed(fields.get("new_entrant_values"))
    _check_log_source(fields)
    if source is not None:
        source = LogSource.objects.select_for_update().get(pk=source.pk)
    before = None if source is None else {f: getattr(source, f) for f in LOG_SOURCE_FIELDS}
    after = {f: fields[f] for f in LOG_SOURCE_FIELDS}
    if after == before:
        return source
    source = source or LogSource()
    for field, value in after.items():
        setattr(source, field, value)
    source.full_clean()
    source.save()
    detail = {"before": before, "after": after}
    audit_record(actor=by, action="monitoring.log_source_changed", target=source, detail=detail)
    if before is not None and before["non_public_record_types"] != after["non_public_record_types"]:
        transaction.on_commit(lambda: recheck_events.enqueue(source_id=source.pk))
    return source


def _listed(values) -> list[str]:
    """Distinct, stripped, in the order given."""
    return list(dict.fromkeys(value.strip() for value in values or [] if value.strip()))


def _check_log_source(fields: dict) -> None:
    errors = {}
    try:
        ZoneInfo(fields["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        zone = fields["time_zone"]
        errors["time_zone"] = _("“%(zone)s” is not a time zone (for example Asia/Tokyo).") % {"zone": zone}
    sample = dt.datetime(2024, 11, 23, 9, 41, 5)  # noqa: DTZ001 (a time of day to format, no zone)
    try:
        read_back = dt.datetime.strptime(sample.strftime(fields["time_format"]), fields["time_format"])  # noqa: DTZ007
    except ValueError:
        read_back = None
    if read_back is None or read_back.replace(second=0) != sample.replace(second=0):
        errors["time_format"] = _("The format must give the date and the time to the minute, as strptime reads them.")
    columns = fields.get("columns") or {}
    for required in ("account", "at"):
        if not columns.get(required):
            errors[f"column_{required}"] = _("Every file must have this column.")
    headers = [header for header in columns.values() if header]
    if len(headers) != len(set(headers)):
        errors["__all__"] = _("Two fields are mapped to the same column.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_enter(
    *, by: Person, system: str, account_id: str, person: Person | None, removed_on=None, note: str = ""
) -> SystemAccount:
    """An auditor records who holds an id; audited by the register. The id's views already imported
    get that holder, and the rules look at them again: until now the rules that need a person could
    not judge them."""
    require_auditor(by)
    if system not in System.values:
        raise ValidationError({"system": _("Unknown system.")})
    if not (account_id or "").strip():
        raise ValidationError({"account_id": _("Give the id as the logs show it.")})
    entry = register_upsert(
        system=system,
        account_id=account_id,
        person=person,
        origin=SystemAccount.Origin.MANUAL,
        by=by,
        removed_on=removed_on,
        note=note,
    )
    transaction.on_commit(lambda: recheck_events.enqueue(system=system, account_id=entry.account_id))
    return entry
