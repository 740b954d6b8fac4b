"""Reads for training."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from people.models import Person, Unit

from .attestation_catalogue import attestation_catalogue
from .dates import REMINDER_DAYS_BEFORE, end_of_day_jst, local_date, reminder_due_today
from .models import (
    Acknowledgement,
    Assignment,
    AttestationDocument,
    AttestationVersion,
    Certificate,
    LessonProgress,
    TrainingModulePage,
    TransferChecklist,
)


def module_visible_to(*, module: TrainingModulePage, person) -> bool:
    """In the audience, or assigned it (even manually, even in the past), or editing training."""
    return module.is_visible_to(person)


def current_assignment(*, person, module: TrainingModulePage) -> Assignment | None:
    """The assignment the module page works on: the unarchived one, else the latest."""
    if not person.is_authenticated:
        return None
    rows = Assignment.objects.filter(person=person, module=module).select_related("certificate")
    assignment = (
        rows.filter(archived_at__isnull=True).order_by("-assigned_at").first() or rows.order_by("-assigned_at").first()
    )
    if assignment is not None:
        assignment.module = module  # the page being served, rather than a second copy of it
    return assignment


@dataclass
class QuizFacts:
    """What the module page says about its quiz before the person starts."""

    questions: int
    time_limit_minutes: int | None
    max_attempts: int
    attempts_left: int | None  # None: no limit (or nothing assigned to count against)
    pass_mark_percent: int
    retake_wait_minutes: int = 0  # the quiz's wait between attempts (0: none)
    next_attempt_at: dt.datetime | None = None  # set while that wait runs for the assigned person


def module_quiz_facts(*, module: TrainingModulePage, assignment: Assignment | None) -> QuizFacts | None:
    from quizzes.selectors import attempts_left, quiz_rules

    quiz = module.quiz
    if quiz is None:
        return None
    left, next_at = None, None
    if assignment is not None and quiz.max_attempts:
        left = attempts_left(quiz=quiz, person=assignment.person, context=assignment.quiz_context)
    if assignment is not None and quiz.retake_wait_minutes:
        next_at = quiz_rules(quiz=quiz, person=assignment.person, context=assignment.quiz_context).next_attempt_at
    return QuizFacts(
        questions=quiz.question_count,
        time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts,
        attempts_left=left,
        pass_mark_percent=quiz.pass_mark_percent,
        retake_wait_minutes=quiz.retake_wait_minutes,
        next_attempt_at=next_at,
    )


def read_lesson_keys(*, assignment: Assignment) -> set[str]:
    return set(assignment.lesson_progress.values_list("lesson_key", flat=True))


def assignment_requirements_met(*, assignment: Assignment) -> bool:
    keys = set(assignment.module.lesson_keys())
    if not keys <= read_lesson_keys(assignment=assignment):
        return False
    return assignment.module.quiz_id is None or assignment.quiz_passed_at is not None


@dataclass
class AssignmentRow:
    assignment: Assignment
    lessons_total: int
    lessons_read: int

    @property
    def percent(self) -> int:
        if self.assignment.status == Assignment.Status.COMPLETED:
            return 100
        steps = self.lessons_total + (1 if self.assignment.module.quiz_id else 0)
        done = self.lessons_read + (1 if self.assignment.quiz_passed_at else 0)
        return round(100 * done / steps) if steps else 0


def my_assignments(*, person: Person) -> tuple[list[AssignmentRow], list[AssignmentRow]]:
    """(current, history) with progress; three queries however many assignments there are."""
    rows = (
        Assignment.objects.filter(person=person)
        .select_related("module", "certificate")
        .prefetch_related(
            Prefetch("lesson_progress", queryset=LessonProgress.objects.only("assignment_id", "lesson_key"))
        )
        .order_by("due_at", "pk")
    )
    current, history = [], []
    for assignment in rows:
        keys = set(assignment.module.lesson_keys())
        read = {p.lesson_key for p in assignment.lesson_progress.all()} & keys
        row = AssignmentRow(assignment=assignment, lessons_total=len(keys), lessons_read=len(read))
        (current if assignment.archived_at is None else history).append(row)
    history.sort(key=lambda r: r.assignment.assigned_at, reverse=True)
    return current, history


def open_assignments(*, person: Person) -> list[Assignment]:
    return list(
        Assignment.objects.filter(
            person=person, status=Assignment.Status.ASSIGNED, archived_at__isnull=True, module__live=True
        )
        .select_related("module")
        .defer("module__lessons", "module__summary")  # a list of titles and links
        .order_by("due_at", "pk")
    )


def people_to_remind(*, today: dt.date) -> list[int]:
    """Active people with an open assignment whose reminder day is today (see `reminder_due_today`)."""
    days = [today + dt.timedelta(days=n) for n in REMINDER_DAYS_BEFORE]
    upcoming = Q()
    for day in days:
        upcoming |= Q(due_at__gt=end_of_day_jst(day - dt.timedelta(days=1)), due_at__lte=end_of_day_jst(day))
    overdue = Q(due_at__lte=end_of_day_jst(today - dt.timedelta(days=1)))
    rows = Assignment.objects.filter(
        upcoming | overdue,
        status=Assignment.Status.ASSIGNED,
        archived_at__isnull=True,
        person__is_active=True,
        module__live=True,
    ).values_list("person_id", "due_at")
    found = set()
    for person_id, due_at in rows.iterator(chunk_size=5000):
        if person_id not in found and reminder_due_today(due_date=local_date(due_at), today=today):
            found.add(person_id)
    return sorted(found)


def managers_to_brief() -> list[int]:
    return sorted(set(Unit.managers.through.objects.filter(person__is_active=True).values_list("person_id", flat=True)))


def units_below(units: list[Unit]) -> QuerySet[Unit]:
    if not units:
        return Unit.objects.none()
    query = Q()
    for unit in units:
        query |= Q(path__startswith=unit.path)
    return Unit.objects.filter(query)


def unit_training_summary(*, units: list[Unit]) -> dict:
    """Open, overdue and completed current assignments for the people of these units and their sub-units."""
    now = timezone.now()
    scope = Assignment.objects.filter(
        archived_at__isnull=True, person__is_active=True, person__unit__in=units_below(units)
    )
    counts = (
        scope.values("person__unit__name", "person__unit__path")
        .annotate(
            total=Count("pk"),
            completed=Count("pk", filter=Q(status=Assignment.Status.COMPLETED)),
            open=Count("pk", filter=Q(status=Assignment.Status.ASSIGNED)),
            overdue=Count("pk", filter=Q(status=Assignment.Status.ASSIGNED, due_at__lt=now)),
            failed_out=Count("pk", filter=Q(status=Assignment.Status.FAILED_OUT)),
        )
        .order_by("person__unit__path")
    )
    # Failed out needs an administrator (a reset) or the manager (a talk): the digest names them.
    failed_out = list(
        scope.filter(status=Assignment.Status.FAILED_OUT)
        .select_related("person", "module")
        .order_by("person__unit__path", "failed_out_at")[:200]
    )
    overdue = list(
        scope.filter(status=Assignment.Status.ASSIGNED, due_at__lt=now)
        .select_related("person", "module")
        .order_by("person__unit__path", "due_at")[:200]
    )
    return {"rows": list(counts), "overdue": overdue, "failed_out": failed_out}


# --- Certificates -----------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def certificate_by_code(*, code: str) -> Certificate | None:
    normalised = normalise_code(code)
    if not normalised or len(normalised) > 40:
        return None
    return Certificate.objects.filter(code=normalised).first()


def certificate_of_owner(*, pk: int, person) -> Certificate | None:
    return Certificate.objects.select_related("assignment").filter(pk=pk, assignment__person=person).first()


# --- Attestations -----------------------------------------------------------------------


@dataclass
class PendingAttestation:
    document: AttestationDocument
    version: AttestationVersion
    previously_acknowledged: AttestationVersion | None


def current_version(*, document: AttestationDocument, now: dt.datetime | None = None) -> AttestationVersion | None:
    """The latest version published by `now` (default: the current time)."""
    return document.versions.filter(published_at__lte=now or timezone.now()).order_by("-number").first()


def first_material_number(versions: list[AttestationVersion]) -> int:
    """The version from which an acknowledgement counts: the latest material one (the first
    version always counts as material). `versions` are the published ones, by number."""
    return max([v.number for v in versions if v.material] + [versions[0].number])


def attestation_status(*, document: AttestationDocument, person: Person) -> PendingAttestation | None:
    """What `person` must acknowledge for `document`, or None when nothing is due.

    Due when the person is in the audience and has not acknowledged the latest material version
    or any version after it. The first version always counts as material.
    """
    versions = list(document.versions.filter(published_at__lte=timezone.now()).order_by("number"))
    if not versions or not document.audience_includes(person):
        return None
    latest = versions[-1]
    material_from = first_material_number(versions)
    acked = list(
        Acknowledgement.objects.filter(person=person, version__document=document)
        .select_related("version")
        .order_by("-version__number")
    )
    if any(a.version.number >= material_from for a in acked):
        return None
    return PendingAttestation(
        document=document, version=latest, previously_acknowledged=acked[0].version if acked else None
    )


def attestations_pending(*, person: Person) -> list[PendingAttestation]:
    """What `person` must acknowledge, in title order: `attestation_status` for every document,
    from the cached catalogue (`attestation_catalogue`) and one query for their acknowledgements."""
    if not person.is_authenticated or not person.is_active:
        return []
    now = timezone.now()
    due = []
    for entry in attestation_catalogue():
        versions = [v for v in entry.versions if v.published_at <= now]
        if versions and entry.includes(person):
            due.append((entry.document, versions))
    if not due:
        return []
    acked: dict[int, list[AttestationVersion]] = {}
    for ack in (
        Acknowledgement.objects.filter(person=person, version__document__in=[doc for doc, _v in due])
        .select_related("version")
        .defer("version__body")
        .order_by("-version__number")
    ):
        acked.setdefault(ack.version.document_id, []).append(ack.version)
    pending = []
    for document, versions in due:
        material_from = first_material_number(versions)
        given = acked.get(document.pk, [])
        if not any(v.number >= material_from for v in given):
            pending.append(
                PendingAttestation(
                    document=document, version=versions[-1], previously_acknowledged=given[0] if given else None
                )
            )
    return pending


def attestation_summary(*, document: AttestationDocument) -> dict:
    """Audience size, how many still owe an acknowledgement, and counts per version (old ones included)."""
    versions = list(document.versions.filter(published_at__lte=timezone.now()).order_by("number"))
    audience = document.audience_people()
    if not versions:
        return {"versions": [], "audience": audience.count(), "pending": 0}
    material_from = first_material_number(versions)
    settled = Acknowledgement.objects.filter(version__document=document, version__number__gte=material_from)
    per_version = dict(
        Acknowledgement.objects.filter(version__document=document)
        .values_list("version_id")
        .annotate(n=Count("pk"))
        .values_list("version_id", "n")
    )
    return {
        "versions": [(v, per_version.get(v.pk, 0)) for v in reversed(versions)],
        "audience": audience.count(),
        "pending": audience.exclude(pk__in=settled.values("person_id")).count(),
        "material_from": material_from,
    }


def acknowledgements_of(*, document: AttestationDocument) -> QuerySet[Acknowledgement]:
    """Every acknowledgement ever given for the document, all versions, oldest first."""
    return (
        Acknowledgement.objects.filter(version__document=document)
        .select_related("person", "version")
        .order_by("acknowledged_at", "pk")
    )


# --- Transfer checklists ----------------------------------------------------------------


def can_countersign(*, checklist: TransferChecklist, person) -> bool:
    """The transferee's manager, or a manager of the new unit or a unit above it; never the transferee."""
    if not person.is_authenticated or person.pk == checklist.person_id:
        return False
    if checklist.person.manager_id == person.pk:
        return True
    ancestor_paths = _ancestor_paths(checklist.to_unit.path)
    return Unit.objects.filter(path__in=ancestor_paths, managers=person).exists()


def _ancestor_paths(path: str) -> list[str]:
    """The unit's own path and its ancestors': every whole-step prefix of a treebeard path."""
    step = Unit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def open_checklists(*, person) -> tuple[list[TransferChecklist], list[TransferChecklist]]:
    """(their own checklists to confirm, others' they may countersign whether or not the transferee
    has confirmed yet), read in one query."""
    if not person.is_authenticated:
        return [], []
    # `manages_a_unit` comes with the person of a request (people.queries), so most readers skip this query.
    managed_paths = (
        list(Unit.objects.filter(managers=person).values_list("path", flat=True)) if person.manages_a_unit else []
    )
    scope = Q(person__manager=person)
    for unit_path in managed_paths:
        scope |= Q(to_unit__path__startswith=unit_path)
    own = Q(person=person, confirmed_at__isnull=True)
    to_countersign = scope & Q(countersigned_at__isnull=True) & ~Q(person=person)
    to_confirm, others = [], []
    for checklist in (
        TransferChecklist.objects.filter(own | to_countersign)
        .select_related("person", "to_unit")
        .order_by("due_at", "pk")
    ):
        (to_confirm if checklist.person_id == person.pk else others).append(checklist)
    return to_confirm, others


def checklists_overdue() -> QuerySet[TransferChecklist]:
    """Checklists past their due date and not yet countersigned (for reports)."""
    return (
        TransferChecklist.objects.filter(countersigned_at__isnull=True, due_at__lt=timezone.now())
        .select_related("person", "to_unit", "transfer__from_unit")
        .order_by("due_at")
    )


def checklist_visible_to(*, checklist: TransferChecklist, person) -> bool:
    return checklist.person_id == person.pk or can_countersign(checklist=checklist, person=person)


# --- Administration ---------------------------------------------------------------------


def admin_assignments(*, module_id: int | None = None, status: str = "", query: str = "") -> QuerySet[Assignment]:
    rows = Assignment.objects.select_related("person", "person__unit", "module", "exempted_by").order_by(
        "-assigned_at", "-pk"
    )
    if module_id:
        rows = rows.filter(module_id=module_id)
    if status == "overdue":
        rows = rows.filter(status=Assignment.Status.ASSIGNED, archived_at__isnull=True, due_at__lt=timezone.now())
    elif status == "archived":
        rows = rows.filter(archived_at__isnull=False)
    elif status in Assignment.Status.values:
        rows = rows.filter(status=status, archived_at__isnull=True)
    if query:
        rows = rows.filter(
            Q(person__email__icontains=query)
            | Q(person__employee_number=query)
            | Q(person__family_name__icontains=query)
            | Q(person__given_name__icontains=query)
        )
    return rows


def find_person(*, identifier: str) -> Person | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return Person.objects.filter(Q(email__iexact=identifier) | Q(employee_number=identifier)).first()
