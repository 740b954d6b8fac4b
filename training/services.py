"""Writes for training: assignments, progress, completion, certificates, attestations, checklists.

Every function is keyword-only and atomic. Bulk synchronisation writes one audit entry per run;
every other state change writes one audit entry.

The services a person's history goes through (sync, lessons, quiz results, completion,
certificates, attestations) take `now`: the moment they act at, for every time they write
(audit entry included) and every time rule they check. It defaults to the current time; a
loader writing a past year (the demo) states it.
"""

import datetime as dt
import logging
import math
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from people.locks import people_bulk_writes
from people.models import Person, Transfer, Unit

from . import personal_panels, selectors

# The reminder rule (REMINDER_DAYS_BEFORE, reminder_due_today) lives beside the dates, where the
# selectors read it too; it stays importable from here.
from .dates import REMINDER_DAYS_BEFORE, end_of_day_jst, local_date, reminder_due_today, today_jst  # noqa: F401
from .models import (
    Acknowledgement,
    Assignment,
    AttestationDocument,
    AttestationVersion,
    Certificate,
    LessonProgress,
    LessonVisit,
    ReminderLog,
    TrainingModulePage,
    TransferChecklist,
)

logger = logging.getLogger(__name__)

# Above this many people a targeted sync is no cheaper than a full one (and IN lists get long).
TARGETED_SYNC_LIMIT = 5000
# Above this many new rows one INSERT … SELECT beats building model instances in Python.
BULK_INSERT_FROM = 2000
CHECKLIST_DAYS = 14


# --- Assignments ------------------------------------------------------------------------


@dataclass
class SyncResult:
    created: int = 0
    archived: int = 0
    restored: int = 0
    modules: list[int] = field(default_factory=list)


@transaction.atomic
def assignments_sync(
    *,
    people: list[int] | QuerySet | None = None,
    modules: list[TrainingModulePage] | None = None,
    now: dt.datetime | None = None,
) -> SyncResult:
    """Bring assignments in step with audiences for the current cycle; idempotent.

    For each live module: create what is missing for people in its audience, archive open
    automatic assignments of people who left it (or left the company), restore those who came
    back, and archive everything of earlier cycles. A handful of queries per module, whatever
    the number of people. `people` limits the work to those person ids (after an HR import).
    It takes its turn with the HR import (`people.locks`).
    """
    person_ids: set[int] | None = None
    if people is not None:
        person_ids = {p if isinstance(p, int) else p.pk for p in people}
        if not person_ids:
            return SyncResult()
        if len(person_ids) > TARGETED_SYNC_LIMIT:
            person_ids = None
    people_bulk_writes()
    module_qs = TrainingModulePage.objects.live()
    if modules is not None:
        module_qs = module_qs.filter(pk__in=[m.pk for m in modules])
    now = now or timezone.now()
    today = local_date(now)
    result = SyncResult()
    for module in module_qs.prefetch_related("audience_units", "audience_employment_types", "audience_job_roles"):
        cycle = module.cycle_for(today)
        due_at = module.due_at_for(cycle=cycle, assigned_on=today)
        audience = module.audience_people()
        rows = Assignment.objects.filter(module=module, cycle=cycle)
        if person_ids is not None:
            audience = audience.filter(pk__in=person_ids)
            rows = rows.filter(person_id__in=person_ids)
        wanted = set(audience.values_list("pk", flat=True))
        have: dict[int, tuple[str, dt.datetime | None, str]] = {
            pid: (source, archived_at, reason)
            for pid, source, archived_at, reason in rows.values_list(
                "person_id", "source", "archived_at", "archive_reason"
            )
        }
        missing = wanted - have.keys()
        if len(missing) > BULK_INSERT_FROM:
            result.created += _insert_missing(module=module, cycle=cycle, audience=audience, now=now, due_at=due_at)
        elif missing:
            Assignment.objects.bulk_create(
                [
                    Assignment(person_id=pid, module=module, cycle=cycle, assigned_at=now, due_at=due_at)
                    for pid in missing
                ],
                batch_size=1000,
                ignore_conflicts=True,
            )
            result.created += len(missing)
        left = [
            pid
            for pid, (source, archived_at, _reason) in have.items()
            if pid not in wanted and archived_at is None and source == Assignment.Source.AUTO
        ]
        back = [
            pid
            for pid, (_source, archived_at, reason) in have.items()
            if pid in wanted and archived_at is not None and reason == "left_audience"
        ]
        for chunk in _chunks(left):
            result.archived += rows.filter(person_id__in=chunk, status=Assignment.Status.ASSIGNED).update(
                archived_at=now, archive_reason="left_audience"
            )
        for chunk in _chunks(back):
            result.restored += rows.filter(person_id__in=chunk).update(archived_at=None, archive_reason="")
        # Earlier cycles become history: kept, never deleted, no longer "to do".
        result.archived += (
            Assignment.objects.filter(module=module, archived_at__isnull=True)
            .exclude(cycle=cycle)
            .update(archived_at=now, archive_reason="cycle_ended")
        )
        result.modules.append(module.pk)
    if result.created or result.archived or result.restored:
        # Bulk writes send no signals: every cached personal panel is read afresh.
        personal_panels.many_people_changed()
        audit_record(
            actor=None,
            action="training.assignments_synced",
            detail={
                "created": result.created,
                "archived": result.archived,
                "restored": result.restored,
                "modules": result.modules,
                "targeted_people": len(person_ids) if person_ids is not None else None,
            },
            at=now,
        )
    return result


def _insert_missing(*, module: TrainingModulePage, cycle: str, audience: QuerySet, now, due_at) -> int:
    """INSERT … SELECT the audience minus those who already have a row: one statement, no Python per person."""
    table = connection.ops.quote_name(Assignment._meta.db_table)
    people = connection.ops.quote_name(Person._meta.db_table)
    audience_sql, audience_params = audience.order_by().values("pk").query.sql_with_params()
    # Table names come from the models and the audience SQL from the ORM; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (person_id, module_id, cycle, source, status, assigned_at, due_at, "  # noqa: S608
        "exemption_reason, archive_reason) "
        f"SELECT p.id, %s, %s, %s, %s, %s, %s, '', '' FROM {people} p WHERE p.id IN ({audience_sql}) "
        f"AND NOT EXISTS (SELECT 1 FROM {table} existing WHERE existing.person_id = p.id "
        "AND existing.module_id = %s AND existing.cycle = %s) "
        "ON CONFLICT DO NOTHING"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        module.pk,
        cycle,
        Assignment.Source.AUTO,
        Assignment.Status.ASSIGNED,
        adapt(now),
        adapt(due_at),
        *audience_params,
        module.pk,
        cycle,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _require_training_admin(actor: Person) -> None:
    from people.roles import TRAINING_ADMINISTRATORS

    if not actor.in_group(TRAINING_ADMINISTRATORS):
        raise PermissionError("Only training administrators may do this.")


@transaction.atomic
def assignment_assign_manual(
    *, person: Person, module: TrainingModulePage, actor: Person, due_date: dt.date | None = None
) -> Assignment:
    """An administrator assigns a module to one person, in or outside its audience."""
    _require_training_admin(actor)
    return _assign_one(person=person, module=module, actor=actor, due_date=due_date)


def _assign_one(
    *, person: Person, module: TrainingModulePage, actor: Person, due_date: dt.date | None = None, reason: str = ""
) -> Assignment:
    """One manual assignment (administrator's or remedial), the caller having checked the actor's role."""
    if not person.is_active:
        raise ValidationError(_("%(person)s has left and cannot be assigned training.") % {"person": person})
    if not module.live:
        raise ValidationError(_("This module is not published."))
    today = today_jst()
    if due_date is not None and due_date < today:
        raise ValidationError(_("The due date cannot be in the past."))
    cycle = module.cycle_for(today)
    due_at = end_of_day_jst(due_date) if due_date else module.due_at_for(cycle=cycle, assigned_on=today)
    existing = Assignment.objects.select_for_update().filter(person=person, module=module, cycle=cycle).first()
    if existing is not None and existing.archived_at is None:
        raise ValidationError(
            _("%(person)s already has this module for %(cycle)s (%(status)s).")
            % {"person": person, "cycle": cycle, "status": existing.get_status_display()}
        )
    if existing is not None:
        existing.archived_at = None
        existing.archive_reason = ""
        existing.source = Assignment.Source.MANUAL
        existing.due_at = due_at
        existing.save(update_fields=["archived_at", "archive_reason", "source", "due_at"])
        assignment = existing
    else:
        assignment = Assignment.objects.create(
            person=person, module=module, cycle=cycle, source=Assignment.Source.MANUAL, due_at=due_at
        )
    audit_record(
        actor=actor,
        action="training.assigned",
        target=assignment,
        detail={"person": person.pk, "module": module.pk, "cycle": cycle, "due": local_date(due_at).isoformat()}
        | ({"reason": reason} if reason else {}),
    )
    return assignment


@transaction.atomic
def assignment_exempt(*, assignment: Assignment, actor: Person, reason: str) -> Assignment:
    """Excuse a person from one assignment, with the reason on record."""
    _require_training_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the exemption."))
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not (locked.is_open or (locked.is_failed_out and locked.archived_at is None)):
        raise ValidationError(_("Only an open or failed-out assignment can be exempted."))
    locked.status = Assignment.Status.EXEMPTED
    locked.exempted_at = timezone.now()
    locked.exempted_by = actor
    locked.exemption_reason = reason
    locked.save(update_fields=["status", "exempted_at", "exempted_by", "exemption_reason"])
    audit_record(actor=actor, action="training.exempted", target=locked, detail={"reason": reason})
    return locked


# --- Progress and completion --------------------------------------------------------------


# A fast reader of Japanese prose: well above the 400–600 characters a minute people average, so
# only skipping a lesson, not reading it quickly, falls short.
READING_CHARS_PER_MINUTE = 1200
# Nobody reads even a short lesson in less; and seeing its end this soon after opening it is a skip.
LESSON_MIN_SECONDS = 10
LESSON_END_MIN_SECONDS = 5


def lesson_min_seconds(*, lesson) -> int:
    """Seconds a lesson must be open before it counts as read by time, from the length of its text."""
    chars = len(lesson_text(lesson=lesson))
    return max(LESSON_MIN_SECONDS, math.ceil(chars * 60 / READING_CHARS_PER_MINUTE))


def lesson_text(*, lesson) -> str:
    """The readable text of a lesson (tags stripped), for its length."""
    from django.utils.html import strip_tags

    return " ".join(strip_tags(str(lesson.value.render_as_block())).split())


@transaction.atomic
def lesson_open(*, assignment: Assignment, lesson_key: str, now: dt.datetime | None = None) -> LessonVisit:
    """The server shows a lesson: the first showing starts its reading time (a reload does not restart it)."""
    if lesson_key not in assignment.module.lesson_keys():
        raise ValidationError(_("This lesson is not part of the module."))
    visit, _created = LessonVisit.objects.get_or_create(
        assignment=assignment, lesson_key=lesson_key, defaults={"opened_at": now or timezone.now()}
    )
    return visit


@transaction.atomic
def lesson_end_reached(
    *, assignment: Assignment, lesson_key: str, now: dt.datetime | None = None
) -> LessonVisit | None:
    """The person's browser says the end of the lesson came into view; the server's time of hearing it is kept."""
    visit = LessonVisit.objects.select_for_update().filter(assignment=assignment, lesson_key=lesson_key).first()
    if visit is None:
        return None
    if not _end_reached_in_time(visit):
        visit.end_reached_at = now or timezone.now()
        visit.save(update_fields=["end_reached_at"])
    return visit


def _end_reached_in_time(visit: LessonVisit) -> bool:
    """The end came into view, and not so soon after opening that the lesson was skipped."""
    return (
        visit.end_reached_at is not None
        and (visit.end_reached_at - visit.opened_at).total_seconds() >= LESSON_END_MIN_SECONDS
    )


def lesson_seconds_missing(*, assignment: Assignment, lesson_key: str, now: dt.datetime | None = None) -> int:
    """0 when the lesson counts as read now, else how many more seconds it must stay open.

    Read means: opened (by the server's record) at least the minimum time ago, or its end came into
    view at least a few seconds after it was opened. A lesson never opened has the whole minimum missing.
    """
    lesson = assignment.module.lesson_by_key(lesson_key)
    if lesson is None:
        raise ValidationError(_("This lesson is not part of the module."))
    minimum = lesson_min_seconds(lesson=lesson)
    visit = LessonVisit.objects.filter(assignment=assignment, lesson_key=lesson_key).first()
    if visit is None:
        return minimum
    now = now or timezone.now()
    if _end_reached_in_time(visit):
        return 0
    return max(0, math.ceil(minimum - (now - visit.opened_at).total_seconds()))


@transaction.atomic
def lesson_mark_read(*, assignment: Assignment, lesson_key: str, now: dt.datetime | None = None) -> LessonProgress:
    """Record that the person read one lesson; completes the assignment if nothing else is missing.

    The server decides from the times it recorded (`lesson_open`, `lesson_end_reached`); a lesson
    skipped through is refused with how long is left.
    """
    if lesson_key not in assignment.module.lesson_keys():
        raise ValidationError(_("This lesson is not part of the module."))
    if assignment.archived_at is not None:
        raise ValidationError(_("This assignment is closed."))
    existing = LessonProgress.objects.filter(assignment=assignment, lesson_key=lesson_key).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    missing = lesson_seconds_missing(assignment=assignment, lesson_key=lesson_key, now=now)
    if missing:
        raise ValidationError(
            _("Please take the time to read this lesson to its end (about %(seconds)s more seconds).")
            % {"seconds": missing},
            code="too_fast",
        )
    progress, created = LessonProgress.objects.get_or_create(
        assignment=assignment, lesson_key=lesson_key, defaults={"read_at": now}
    )
    if created:
        _complete_if_done(assignment_id=assignment.pk, now=now)
    return progress


def _assignment_id_of_context(context: str) -> int | None:
    """`assignment:<pk>` or, after a reset, `assignment:<pk>:<round>`."""
    parts = (context or "").split(":")
    if len(parts) not in (2, 3) or parts[0] != "assignment" or not parts[1].isascii() or not parts[1].isdigit():
        return None
    return int(parts[1])


@transaction.atomic
def assignment_record_quiz_result(*, attempt, now: dt.datetime | None = None) -> Assignment | None:
    """Called when a quiz attempt is graded: a pass in an assignment's context counts for it; a fail
    that uses the quiz's last allowed attempt of the current round makes the assignment failed out.

    The pass or failure is dated by the attempt's submission; `now` dates what follows from it
    (completion, certificate, audit entries). The `attempt_graded` receiver passes the submission time.
    """
    pk = _assignment_id_of_context(attempt.context)
    if pk is None:
        return None
    assignment = (
        # Lock the assignment row only: a module without a quiz joins it as the nullable side of an
        # outer join, which PostgreSQL cannot lock.
        Assignment.objects.select_for_update(of=("self",))
        .select_related("module", "module__quiz", "person")
        .filter(pk=pk, person_id=attempt.person_id)
        .first()
    )
    if assignment is None or assignment.module.quiz_id != attempt.quiz_id or assignment.quiz_passed_at:
        return assignment
    if attempt.context != assignment.quiz_context:
        return assignment  # an attempt of an earlier round, graded late: that round is over
    now = now or timezone.now()
    if not attempt.passed:
        return _fail_out_if_no_attempts_left(assignment=assignment, attempt=attempt, now=now)
    assignment.quiz_passed_at = attempt.submitted_at or now
    assignment.save(update_fields=["quiz_passed_at"])
    audit_record(
        actor=attempt.person,
        action="training.quiz_passed",
        target=assignment,
        detail={"attempt": str(attempt.public_id), "score_percent": str(attempt.score_percent)},
        at=now,
    )
    return _complete_if_done(assignment_id=assignment.pk, now=now)


def _fail_out_if_no_attempts_left(*, assignment: Assignment, attempt, now: dt.datetime) -> Assignment:
    from quizzes.selectors import failed_out

    quiz = assignment.module.quiz
    if assignment.status != Assignment.Status.ASSIGNED or assignment.archived_at:
        return assignment
    if not failed_out(quiz=quiz, person=assignment.person, context=assignment.quiz_context):
        return assignment
    used = quiz.max_attempts
    assignment.status = Assignment.Status.FAILED_OUT
    assignment.failed_out_at = attempt.submitted_at or now
    assignment.save(update_fields=["status", "failed_out_at"])
    audit_record(
        actor=attempt.person,
        action="training.failed_out",
        target=assignment,
        detail={"attempt": str(attempt.public_id), "attempts": used, "round": assignment.attempt_round},
        at=now,
    )
    return assignment


@transaction.atomic
def assignment_reset_attempts(*, assignment: Assignment, actor: Person, reason: str) -> Assignment:
    """A training administrator gives a failed-out person a new round of the quiz's attempts."""
    _require_training_admin(actor)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the reset."))
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Assignment.Status.FAILED_OUT or locked.archived_at is not None:
        raise ValidationError(_("Only a failed-out assignment can be given new attempts."))
    locked.status = Assignment.Status.ASSIGNED
    locked.failed_out_at = None
    locked.attempt_round += 1
    locked.save(update_fields=["status", "failed_out_at", "attempt_round"])
    audit_record(
        actor=actor,
        action="training.attempts_reset",
        target=locked,
        detail={"reason": reason[:500], "round": locked.attempt_round},
    )
    return locked


def _complete_if_done(*, assignment_id: int, now: dt.datetime | None = None) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("module", "person").get(pk=assignment_id)
    if assignment.status != Assignment.Status.ASSIGNED or assignment.archived_at is not None:
        return assignment
    if not selectors.assignment_requirements_met(assignment=assignment):
        return assignment
    assignment.status = Assignment.Status.COMPLETED
    now = now or timezone.now()
    assignment.completed_at = now
    assignment.save(update_fields=["status", "completed_at"])
    certificate = certificate_issue(assignment=assignment, now=now)
    audit_record(
        actor=assignment.person,
        action="training.completed",
        target=assignment,
        detail={"on_time": assignment.completed_on_time, "certificate": certificate.code},
        at=now,
    )
    return assignment


# --- Certificates -------------------------------------------------------------------------

# No 0/O, 1/I/L or U: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4


def certificate_code_new() -> str:
    """16 characters from a 30-letter alphabet (about 78 bits), in groups of four."""
    groups = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS)]
    return "-".join(groups)


@transaction.atomic
def certificate_issue(*, assignment: Assignment, now: dt.datetime | None = None) -> Certificate:
    existing = Certificate.objects.filter(assignment=assignment).first()
    if existing is not None:
        return existing
    if assignment.status != Assignment.Status.COMPLETED or assignment.completed_at is None:
        raise ValidationError(_("A certificate is issued only for a completed module."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    assignment=assignment,
                    code=certificate_code_new(),
                    person_name=assignment.person.get_full_name() or assignment.person.email,
                    module_title=assignment.module.title,
                    cycle=assignment.cycle,
                    completed_at=assignment.completed_at,
                    valid_until=assignment.module.certificate_valid_until(
                        cycle=assignment.cycle, completed_at=assignment.completed_at
                    ),
                    issued_at=now or timezone.now(),
                )
        except IntegrityError:
            continue
    raise RuntimeError("Could not draw a unique certificate code.")


# --- Attestations ---------------------------------------------------------------------------


@transaction.atomic
def attestation_publish_version(
    *,
    document: AttestationDocument,
    body: str,
    material: bool,
    actor: Person,
    change_note: str = "",
    now: dt.datetime | None = None,
) -> AttestationVersion:
    """Publish a new wording (training administrators only). The first version always asks everyone;
    later ones only if material. The SHA-256 of the text is stored with it."""
    _require_training_admin(actor)
    if not (body or "").strip():
        raise ValidationError(_("The document text is empty."))
    AttestationDocument.objects.select_for_update().filter(pk=document.pk).first()
    last = document.versions.order_by("-number").first()
    version = AttestationVersion.objects.create(
        document=document,
        number=(last.number + 1) if last else 1,
        body=body,
        sha256=AttestationVersion.text_sha256(body),
        material=material or last is None,
        change_note=(change_note or "").strip()[:300],
        published_by=actor,
        published_at=now or timezone.now(),
    )
    audit_record(
        actor=actor,
        action="training.attestation_published",
        target=version,
        detail={
            "document": document.slug,
            "number": version.number,
            "material": version.material,
            "sha256": version.sha256,
        },
        at=now,
    )
    return version


@transaction.atomic
def attestation_acknowledge(
    *, person: Person, version: AttestationVersion, now: dt.datetime | None = None
) -> Acknowledgement:
    now = now or timezone.now()
    latest = selectors.current_version(document=version.document, now=now)
    if latest is None or latest.pk != version.pk:
        raise ValidationError(_("A newer version of this document exists; please read that one."))
    if not version.document.audience_includes(person):
        raise ValidationError(_("This document is not addressed to you."))
    ack, created = Acknowledgement.objects.get_or_create(
        person=person, version=version, defaults={"acknowledged_at": now}
    )
    if created:
        audit_record(
            actor=person,
            action="training.attestation_acknowledged",
            target=ack,
            detail={"document": version.document.slug, "number": version.number, "sha256": version.sha256},
            at=now,
        )
    return ack


# --- Transfer checklists --------------------------------------------------------------------


@transaction.atomic
def checklist_create_for_transfer(*, transfer: Transfer) -> TransferChecklist:
    """One checklist per transfer; calling it again returns the same one."""
    existing = TransferChecklist.objects.filter(transfer=transfer).first()
    if existing is not None:
        return existing
    start = max(transfer.effective_on, today_jst())
    checklist = TransferChecklist.objects.create(
        transfer=transfer,
        person=transfer.person,
        to_unit=transfer.to_unit,
        due_at=end_of_day_jst(start + dt.timedelta(days=CHECKLIST_DAYS)),
    )
    audit_record(
        actor=None,
        action="training.checklist_created",
        target=checklist,
        detail={"person": transfer.person_id, "from": transfer.from_unit.code, "to": transfer.to_unit.code},
    )
    return checklist


@transaction.atomic
def checklist_confirm(*, checklist: TransferChecklist, person: Person, items: list[str]) -> TransferChecklist:
    """The transferee confirms every item; all of them, or nothing is saved."""
    locked = TransferChecklist.objects.select_for_update().get(pk=checklist.pk)
    if locked.person_id != person.pk:
        raise PermissionError("Only the transferee confirms their checklist.")
    if locked.confirmed_at is not None:
        raise ValidationError(_("You have already confirmed this checklist."))
    missing = [label for value, label in TransferChecklist.Item.choices if value not in set(items)]
    if missing:
        raise ValidationError(_("Confirm every item: %(items)s") % {"items": " / ".join(str(m) for m in missing)})
    locked.confirmed_items = list(TransferChecklist.Item.values)
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_items", "confirmed_at"])
    audit_record(actor=person, action="training.checklist_confirmed", target=locked)
    return locked


@transaction.atomic
def checklist_countersign(*, checklist: TransferChecklist, manager: Person, note: str = "") -> TransferChecklist:
    locked = TransferChecklist.objects.select_for_update().select_related("person", "to_unit").get(pk=checklist.pk)
    if not selectors.can_countersign(checklist=locked, person=manager):
        raise PermissionError("Only the transferee's new manager countersigns.")
    if locked.confirmed_at is None:
        raise ValidationError(_("The transferee has not confirmed the checklist yet."))
    if locked.countersigned_at is not None:
        raise ValidationError(_("This checklist is already countersigned."))
    locked.countersigned_by = manager
    locked.countersigned_at = timezone.now()
    # NUL is never text, and PostgreSQL refuses it in a text column.
    locked.manager_note = (note or "").replace("\x00", "").strip()[:500]
    locked.save(update_fields=["countersigned_by", "countersigned_at", "manager_note"])
    audit_record(actor=manager, action="training.checklist_countersigned", target=locked)
    return locked


# --- Reminders ------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    people: list[int] = field(default_factory=list)
    managers: list[int] = field(default_factory=list)


def reminders_send() -> ReminderRun:
    """Send today's digests. Each person and each manager gets at most one per day, whatever reruns."""
    today = today_jst()
    run = ReminderRun()
    triggered = selectors.people_to_remind(today=today)
    for person_id in triggered:
        if _send_person_digest(person_id=person_id, today=today):
            run.people.append(person_id)
    if today.weekday() == getattr(settings, "TRAINING_MANAGER_DIGEST_WEEKDAY", 0):
        for manager_id in selectors.managers_to_brief():
            if _send_manager_digest(manager_id=manager_id, today=today):
                run.managers.append(manager_id)
    return run


@transaction.atomic
def _send_person_digest(*, person_id: int, today: dt.date) -> bool:
    person = Person.objects.get(pk=person_id)
    assignments = selectors.open_assignments(person=person)
    if not assignments or not person.email:
        return False
    log, created = ReminderLog.objects.get_or_create(
        person=person,
        kind=ReminderLog.Kind.PERSON,
        sent_on=today,
        defaults={"assignment_ids": [a.pk for a in assignments]},
    )
    if not created:
        return False
    now = timezone.now()
    with translation.override("ja"):
        context = {
            "person": person,
            "assignments": assignments,
            "overdue": [a for a in assignments if a.is_overdue(now)],
            "base_url": settings.WAGTAILADMIN_BASE_URL,
        }
        subject = _("[Conduct-Rule Portal] Your training: %(count)d to complete") % {"count": len(assignments)}
        body = render_to_string("training/email/person_digest.txt", context)
    # A failure here rolls the log row back, so the next run tries again. The log commits right
    # after the send: only a crash in between sends this digest twice (see infrastructure.mail.send_once).
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    return True


@transaction.atomic
def _send_manager_digest(*, manager_id: int, today: dt.date) -> bool:
    manager = Person.objects.get(pk=manager_id)
    week_ago = today - dt.timedelta(days=6)
    if ReminderLog.objects.filter(person=manager, kind=ReminderLog.Kind.MANAGER, sent_on__gte=week_ago).exists():
        return False
    units = list(Unit.objects.filter(managers=manager))
    summary = selectors.unit_training_summary(units=units)
    if not summary["rows"]:
        return False
    log, created = ReminderLog.objects.get_or_create(
        person=manager,
        kind=ReminderLog.Kind.MANAGER,
        sent_on=today,
        defaults={"assignment_ids": [a.pk for a in summary["overdue"]]},
    )
    if not created:
        return False
    with translation.override("ja"):
        context = {"manager": manager, "summary": summary, "base_url": settings.WAGTAILADMIN_BASE_URL}
        subject = _("[Conduct-Rule Portal] Weekly training status of your units")
        body = render_to_string("training/email/manager_digest.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [manager.email])
    return True


@transaction.atomic
def assignment_assign_remedial(
    *, person: Person, module: TrainingModulePage, actor: Person, reason: str, due_date: dt.date | None = None
) -> Assignment:
    """A module assigned as a remedy (a monitoring finding): by a compliance auditor or a training administrator.

    The reason goes into the audit entry; otherwise it is a manual assignment like any other.
    """
    from people.roles import COMPLIANCE_AUDITORS, TRAINING_ADMINISTRATORS

    if not (actor.in_group(COMPLIANCE_AUDITORS) or actor.in_group(TRAINING_ADMINISTRATORS)):
        raise PermissionError("Only compliance auditors and training administrators may do this.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the assignment."))
    return _assign_one(person=person, module=module, actor=actor, due_date=due_date, reason=reason)
