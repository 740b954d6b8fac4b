"""Reads for the compliance dashboards, exports and the regulator report.

What counts (the same definitions everywhere: dashboard, exports, regulator report, benchmarks):

- **Population**: assignments of *active* people (`Person.is_active`; leavers are left out).
  - View "current" (the default): assignments not archived — the duties in force now (the
    current fiscal cycle of annual modules and one-off modules).
  - View of a cycle ("FY2025", "once"): assignments of that cycle that are not archived or were
    archived only because the cycle ended (`archive_reason="cycle_ended"`); assignments archived
    because the person left the module's audience are no longer that person's duty.
- **Assigned**: the population minus exempted assignments.
- **Completed**: status completed.
- **Overdue**: status "to do" (not completed, not exempted) and due before now.
- **Failed out**: the quiz's last allowed attempt failed (status `failed_out`); counted apart from
  overdue, as people who need an administrator's reset rather than a reminder.
- **Rate**: completed ÷ assigned (no rate when nothing is assigned).
- A person counts in their *current* unit, company and employment type, and in each of their job
  roles (so the role rows can add up to more than the total).
- A unit's row rolls up its whole subtree (the unit and every unit below it).

The dashboard is a fixed number of aggregate queries (GROUP BY unit × company × employment type ×
module with the monthly completions as conditional counts, one GROUP BY role, plus the small
name lookups); the totals per unit
subtree are summed in Python from the unit tree, which is small. Nothing loops over people.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import Company, EmploymentType, JobRole, Person, Unit
from people.roles import TRAINING_ADMINISTRATORS
from quizzes.models import Attempt, Question
from quizzes.selectors import weak_point_responses
from training.dates import JST, end_of_day_jst, fiscal_cycle, fiscal_year_bounds, today_jst
from training.models import (
    Acknowledgement,
    Assignment,
    AttestationDocument,
    TrainingModulePage,
    TransferChecklist,
)

from . import caching

CURRENT = "current"
NO_UNIT = 0  # key of the "no unit" row (people without a unit; only in the full view)


class BadRequest(ValueError):
    """A parameter the person can fix (shown to them as a message)."""


# --- Who may see what -----------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What one person may see: everything (training administrators) or some unit subtrees."""

    person: Person
    everything: bool
    root_paths: tuple[str, ...] = ()

    def sees_unit(self, unit: Unit) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.root_paths)

    def sees_person(self, person: Person) -> bool:
        if self.everything:
            return True
        return person.unit_id is not None and self.sees_unit(person.unit)


def viewer_for(person) -> Viewer | None:
    """None when the person may see no dashboard at all (the views answer 404).

    Training administrators see everything. Managers (people in `Unit.managers`) see the units
    they manage and the units below. Being a superuser or a site administrator opens nothing:
    individual results are not technical settings.
    """
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return None
    if person.in_group(TRAINING_ADMINISTRATORS):
        return Viewer(person=person, everything=True)
    if not person.manages_a_unit:
        return None
    paths = sorted(Unit.objects.filter(managers=person).values_list("path", flat=True))
    # Keep only the top of each managed subtree.
    roots = tuple(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
    if not roots:
        return None
    return Viewer(person=person, everything=False, root_paths=roots)


# --- Parameters -----------------------------------------------------------------------------


def cycle_choices() -> list[tuple[str, str]]:
    # A scan of every assignment: cached with the figures (reports/caching.py).
    cycles = set(
        caching.cached(
            "cycles", compute=lambda: list(Assignment.objects.order_by().values_list("cycle", flat=True).distinct())
        )
    )
    cycles.add(fiscal_cycle(today_jst()))
    ordered = sorted((c for c in cycles if c.startswith("FY")), reverse=True) + sorted(
        c for c in cycles if not c.startswith("FY")
    )
    return [(CURRENT, _("Current duties"))] + [(c, c if c.startswith("FY") else _("One-off modules")) for c in ordered]


def clean_cycle(raw: str | None) -> str:
    value = (raw or CURRENT).strip()
    if value == CURRENT or value == "once":
        return value
    # isascii: "FY²⁰²⁶" passes isdigit() but not int().
    if len(value) == 6 and value.startswith("FY") and value[2:].isascii() and value[2:].isdigit():
        return value
    raise BadRequest(_("Unknown cycle. Choose one from the list."))


def cycle_period(cycle: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The time span a cycle covers (for attempts and checklists); None means all time."""
    if cycle == "once":
        return None
    year = int((fiscal_cycle(today_jst()) if cycle == CURRENT else cycle)[2:])
    start, end = fiscal_year_bounds(year)
    return end_of_day_jst(start - dt.timedelta(days=1)), end_of_day_jst(end)


# --- The unit tree --------------------------------------------------------------------------


@dataclass
class UnitTree:
    units: dict[int, Unit]
    children: dict[int | None, list[int]]
    parents: dict[int, int | None]

    @classmethod
    def load(cls) -> "UnitTree":
        units = {u.pk: u for u in Unit.objects.only("pk", "code", "name", "path", "depth").order_by("path")}
        # A treebeard path is its parent's path plus one step: each unit's parent is found by
        # path, with no query per unit.
        pk_by_path = {u.path: pk for pk, u in units.items()}
        parents = {pk: pk_by_path.get(u.path[: -Unit.steplen]) for pk, u in units.items()}
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk in units:
            children[parents[pk]].append(pk)
        return cls(units=units, children=children, parents=parents)

    def by_code(self, code: str) -> Unit | None:
        return next((u for u in self.units.values() if u.code == code), None)

    def subtree_ids(self, paths: Iterable[str]) -> list[int]:
        paths = tuple(paths)
        return [pk for pk, u in self.units.items() if u.path.startswith(paths)]

    def ancestors(self, unit: Unit) -> list[Unit]:
        """From the root down to the unit's parent."""
        chain = []
        parent = self.parents[unit.pk]
        while parent is not None:
            chain.append(self.units[parent])
            parent = self.parents[parent]
        return list(reversed(chain))

    def roll_up(self, per_unit: dict[int, "Counts"]) -> dict[int, "Counts"]:
        """Totals of each unit's whole subtree from the totals of each unit's own members."""
        totals: dict[int, Counts] = defaultdict(Counts)
        for unit_id, counts in per_unit.items():
            if unit_id == NO_UNIT or unit_id not in self.units:
                continue
            node: int | None = unit_id
            while node is not None:
                totals[node].add(counts)
                node = self.parents[node]
        return totals


# --- Counting -------------------------------------------------------------------------------


@dataclass
class Counts:
    assigned: int = 0
    completed: int = 0
    overdue: int = 0
    exempted: int = 0
    failed_out: int = 0

    def add(self, other: "Counts") -> None:
        self.assigned += other.assigned
        self.completed += other.completed
        self.overdue += other.overdue
        self.exempted += other.exempted
        self.failed_out += other.failed_out

    @property
    def open(self) -> int:
        return self.assigned - self.completed

    @property
    def on_track(self) -> int:
        return self.open - self.overdue - self.failed_out

    @property
    def rate(self) -> float | None:
        return self.completed / self.assigned if self.assigned else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else int(self.rate * 1000 + 0.5) / 10


def count_expressions(now: dt.datetime) -> dict:
    status = Assignment.Status
    return {
        "assigned": Count("pk", filter=~Q(status=status.EXEMPTED)),
        "completed": Count("pk", filter=Q(status=status.COMPLETED)),
        "overdue": Count("pk", filter=Q(status=status.ASSIGNED, due_at__lt=now)),
        "exempted": Count("pk", filter=Q(status=status.EXEMPTED)),
        "failed_out": Count("pk", filter=Q(status=status.FAILED_OUT)),
    }


def _counts(row: dict) -> Counts:
    return Counts(
        assigned=row["assigned"],
        completed=row["completed"],
        overdue=row["overdue"],
        exempted=row["exempted"],
        failed_out=row.get("failed_out", 0),
    )


def population(*, cycle: str, unit_ids: list[int] | None) -> QuerySet[Assignment]:
    """The assignments that count (see the module docstring); `unit_ids=None` means every unit."""
    rows = Assignment.objects.filter(person__is_active=True)
    if cycle == CURRENT:
        rows = rows.filter(archived_at__isnull=True)
    else:
        rows = rows.filter(cycle=cycle).filter(Q(archived_at__isnull=True) | Q(archive_reason="cycle_ended"))
    if unit_ids is not None:
        rows = rows.filter(person__unit_id__in=unit_ids)
    return rows


@dataclass
class Row:
    key: str
    label: str
    counts: Counts
    url: str = ""
    depth: int = 0


@dataclass
class TrendPoint:
    month: dt.date
    completed: int
    cumulative: int
    rate: float | None


@dataclass
class Dashboard:
    viewer: Viewer
    cycle: str
    unit: Unit | None
    breadcrumbs: list[Unit]
    total: Counts
    units: list[Row]
    companies: list[Row]
    employment_types: list[Row]
    job_roles: list[Row]
    modules: list[Row]
    trend: list[TrendPoint]
    unit_ids: list[int] | None = field(default=None, repr=False)
    tree: UnitTree | None = field(default=None, repr=False)

    @property
    def scope_label(self) -> str:
        if self.unit:
            return self.unit.name
        return _("All units") if self.viewer.everything else _("My units")


def resolve_scope(*, viewer: Viewer, unit_code: str | None, tree: UnitTree) -> tuple[Unit | None, list[int] | None]:
    """The unit looked at and the ids of the units it covers; raises Unit.DoesNotExist for 404."""
    if unit_code:
        unit = tree.by_code(unit_code)
        if unit is None or not viewer.sees_unit(unit):
            raise Unit.DoesNotExist(unit_code)
        return unit, tree.subtree_ids([unit.path])
    if viewer.everything:
        return None, None
    return None, tree.subtree_ids(viewer.root_paths)


def _unit_url(unit: Unit, cycle: str) -> str:
    url = reverse("reports:unit", args=[unit.code])
    return url if cycle == CURRENT else f"{url}?cycle={cycle}"


@dataclass
class Figures:
    """The counts behind a dashboard, from the two GROUP BYs over the population (cached)."""

    total: Counts
    per_unit: dict[int, Counts]
    per_company: dict[int, Counts]
    per_etype: dict[int, Counts]
    per_module: dict[int, Counts]
    per_role: dict[int, Counts]
    per_month: dict[str, int]


def completion_figures(*, cycle: str, unit_ids: list[int] | None, months: list[dt.date]) -> Figures:
    """Two queries: GROUP BY unit × company × employment type × module with the monthly completions
    as conditional counts, and GROUP BY job role. Cached until the figures change (reports/caching.py)."""

    def compute() -> Figures:
        rows = population(cycle=cycle, unit_ids=unit_ids)
        exprs = count_expressions(timezone.now())
        month_exprs = month_count_expressions(months)
        figures = Figures(
            total=Counts(),
            per_unit=defaultdict(Counts),
            per_company=defaultdict(Counts),
            per_etype=defaultdict(Counts),
            per_module=defaultdict(Counts),
            per_role=defaultdict(Counts),
            per_month=defaultdict(int),
        )
        grouped = (
            rows.values("person__unit_id", "person__company_id", "person__employment_type_id", "module_id")
            .annotate(**exprs, **month_exprs)
            .order_by()
        )
        for row in grouped:
            counts = _counts(row)
            figures.per_unit[row["person__unit_id"] or NO_UNIT].add(counts)
            figures.per_company[row["person__company_id"] or 0].add(counts)
            figures.per_etype[row["person__employment_type_id"] or 0].add(counts)
            figures.per_module[row["module_id"]].add(counts)
            figures.total.add(counts)
            for key in month_exprs:
                figures.per_month[key] += row[key]
        for row in rows.values("person__job_roles").annotate(**exprs).order_by():
            figures.per_role[row["person__job_roles"] or 0].add(_counts(row))
        for name in ("per_unit", "per_company", "per_etype", "per_module", "per_role", "per_month"):
            setattr(figures, name, dict(getattr(figures, name)))
        return figures

    return caching.cached(
        "completion", cycle, caching.scope_key(unit_ids), ",".join(f"{m:%Y%m}" for m in months), compute=compute
    )


def dashboard(*, viewer: Viewer, cycle: str = CURRENT, unit_code: str | None = None) -> Dashboard:
    """Completion for what the viewer may see, at one level of the unit tree.

    Queries: units, the two GROUP BYs of `completion_figures` (cached), and one name lookup each
    for companies, employment types, roles and modules — whatever the number of people.
    """
    tree = UnitTree.load()
    unit, unit_ids = resolve_scope(viewer=viewer, unit_code=unit_code, tree=tree)
    months = trend_months(cycle)
    figures = completion_figures(cycle=cycle, unit_ids=unit_ids, months=months)
    total = figures.total
    per_unit, per_company, per_etype = figures.per_unit, figures.per_company, figures.per_etype
    per_module, per_role, per_month = figures.per_module, figures.per_role, figures.per_month

    # Unit rows: the children of the unit looked at (or the viewer's top units), each rolled up.
    subtree_totals = tree.roll_up(per_unit)
    unit_rows: list[Row] = []
    if unit is not None:
        own = per_unit.get(unit.pk)
        if own and (own.assigned or own.exempted):
            unit_rows.append(Row(key=unit.code, label=_("%(unit)s (own members)") % {"unit": unit.name}, counts=own))
        shown = tree.children.get(unit.pk, [])
    elif viewer.everything:
        shown = tree.children.get(None, [])
    else:
        shown = [pk for pk, u in tree.units.items() if u.path in viewer.root_paths]
    for pk in shown:
        child = tree.units[pk]
        counts = subtree_totals.get(pk, Counts())
        unit_rows.append(Row(key=child.code, label=child.name, counts=counts, url=_unit_url(child, cycle)))
    if unit is None and viewer.everything and per_unit.get(NO_UNIT):
        unit_rows.append(Row(key="", label=_("(no unit)"), counts=per_unit[NO_UNIT]))

    def named(model, per: dict[int, Counts], label_field: str = "name") -> list[Row]:
        names = dict(model.objects.filter(pk__in=[k for k in per if k]).values_list("pk", label_field))
        found = [
            Row(key=str(k), label=names.get(k, "") if k else _("(not set)"), counts=c)
            for k, c in per.items()
            if c.assigned or c.exempted
        ]
        return sorted(found, key=lambda r: (r.key == "0", r.label))

    return Dashboard(
        viewer=viewer,
        cycle=cycle,
        unit=unit,
        breadcrumbs=tree.ancestors(unit) if unit else [],
        total=total,
        units=unit_rows,
        companies=named(Company, per_company),
        employment_types=named(EmploymentType, per_etype),
        job_roles=named(JobRole, per_role),
        modules=named(TrainingModulePage, per_module, "title"),
        trend=_trend(months, per_month, total),
        unit_ids=unit_ids,
        tree=tree,
    )


def trend_months(cycle: str) -> list[dt.date]:
    """The first day of each month of the cycle's fiscal year, up to this month (Japan time)."""
    today = today_jst()
    year = int((fiscal_cycle(today) if cycle in (CURRENT, "once") else cycle)[2:])
    start, end = fiscal_year_bounds(year)
    last = min(end, today)
    months, month = [], start
    while month <= last:
        months.append(month)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months or [start]


def _month_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, 1, tzinfo=JST)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_count_expressions(months: list[dt.date]) -> dict:
    """Completions before the first month, in each month, and after the last, as conditional counts.

    Range comparisons on the stored timestamps instead of truncating each row to a month in
    Japan time: the trend then rides on the main GROUP BY instead of a scan of its own.
    """
    completed = Q(status=Assignment.Status.COMPLETED)
    exprs = {"month_before": Count("pk", filter=completed & Q(completed_at__lt=_month_start(months[0])))}
    for month in months:
        exprs[f"month_{month:%Y%m}"] = Count(
            "pk",
            filter=completed
            & Q(completed_at__gte=_month_start(month), completed_at__lt=_month_start(_next_month(month))),
        )
    exprs["month_after"] = Count("pk", filter=completed & Q(completed_at__gte=_month_start(_next_month(months[-1]))))
    return exprs


def _trend(months: list[dt.date], per_month: dict[str, int], total: Counts) -> list[TrendPoint]:
    """Completions per month (Japan time) and the cumulative rate against the assigned total."""
    points = []
    cumulative = per_month.get("month_before", 0)
    later = per_month.get("month_after", 0)
    for i, month in enumerate(months):
        n = per_month.get(f"month_{month:%Y%m}", 0)
        if i == len(months) - 1:
            n += later  # completions stamped after the last month shown (clock skew) still count
        cumulative += n
        points.append(
            TrendPoint(
                month=month,
                completed=n,
                cumulative=cumulative,
                rate=cumulative / total.assigned if total.assigned else None,
            )
        )
    return points


# --- Overdue people -------------------------------------------------------------------------


def overdue_assignments(*, cycle: str, unit_ids: list[int] | None) -> QuerySet[Assignment]:
    return (
        population(cycle=cycle, unit_ids=unit_ids)
        .filter(status=Assignment.Status.ASSIGNED, due_at__lt=timezone.now())
        .select_related("person", "person__unit", "person__manager", "module")
        .order_by("due_at", "person__employee_number", "pk")
    )


# --- Weak points ----------------------------------------------------------------------------


@dataclass
class WeakPoint:
    question_id: int
    text: str
    bank_title: str
    edit_url: str
    case_title: str
    case_url: str
    answered: int
    wrong: int
    by_unit: list[tuple[str, int, int]]  # (unit label, answered, wrong), worst share first

    @property
    def share(self) -> float:
        return self.wrong / self.answered if self.answered else 0.0

    @property
    def percent(self) -> float:
        return int(self.share * 1000 + 0.5) / 10


def weak_point_rows(*, cycle: str, unit_ids: list[int] | None) -> QuerySet:
    """Graded answers grouped by question and the answering person's unit (submitted attempts of active people)."""
    # Submitted attempts with at least one answer: a blank submission says nothing about weak points.
    answers = weak_point_responses().filter(attempt__person__is_active=True)
    period = cycle_period(cycle)
    if period:
        answers = answers.filter(attempt__submitted_at__gt=period[0], attempt__submitted_at__lte=period[1])
    if unit_ids is not None:
        answers = answers.filter(attempt__person__unit_id__in=unit_ids)
    return (
        answers.values("question_key", "attempt__person__unit_id")
        .annotate(answered=Count("pk"), wrong=Count("pk", filter=Q(is_correct=False)))
        .order_by()
    )


def weak_point_counts(*, cycle: str, unit_ids: list[int] | None) -> list[tuple[int, int, int, int]]:
    """(question, unit, answered, wrong) from `weak_point_rows`; cached until the figures change."""
    return caching.cached(
        "weak-points",
        cycle,
        caching.scope_key(unit_ids),
        compute=lambda: [
            (row["question_key"], row["attempt__person__unit_id"] or NO_UNIT, row["answered"], row["wrong"])
            for row in weak_point_rows(cycle=cycle, unit_ids=unit_ids)
        ],
    )


def weak_points(*, dashboard: Dashboard, limit: int = 15, request=None) -> list[WeakPoint]:
    """Questions most often answered wrongly, with the share per unit at the level looked at."""
    tree = dashboard.tree
    per_question: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for question, unit_id, answered, wrong in weak_point_counts(cycle=dashboard.cycle, unit_ids=dashboard.unit_ids):
        cell = per_question[question][unit_id]
        cell[0] += answered
        cell[1] += wrong
    shown = [r for r in dashboard.units if r.key]
    shown_units = [tree.by_code(r.key) for r in shown]
    found: list[WeakPoint] = []
    for key, cells in per_question.items():
        answered = sum(c[0] for c in cells.values())
        wrong = sum(c[1] for c in cells.values())
        by_unit = []
        for unit in shown_units:
            if unit is None:
                continue
            own_only = dashboard.unit is not None and unit.pk == dashboard.unit.pk
            ids = [unit.pk] if own_only else [pk for pk, u in tree.units.items() if u.path.startswith(unit.path)]
            a = sum(cells[i][0] for i in ids if i in cells)
            w = sum(cells[i][1] for i in ids if i in cells)
            if a:
                by_unit.append((unit.name, a, w))
        by_unit.sort(key=lambda t: (-t[2] / t[1], t[0]))
        found.append(
            WeakPoint(
                question_id=key,
                text="",
                bank_title="",
                edit_url="",
                case_title="",
                case_url="",
                answered=answered,
                wrong=wrong,
                by_unit=by_unit,
            )
        )
    found.sort(key=lambda w: (-w.share, -w.answered, w.question_id))
    found = [w for w in found if w.wrong][:limit]
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[w.question_id for w in found]).select_related("bank", "case_page")
    }
    for point in found:
        question = questions.get(point.question_id)
        if question is None:
            point.text = _("(question deleted)")
            continue
        point.text = question.text
        point.bank_title = question.bank.title
        try:
            point.edit_url = reverse("wagtailsnippets_quizzes_questionbank:edit", args=[question.bank_id])
        except NoReverseMatch:  # pragma: no cover - the snippet is registered by quizzes
            point.edit_url = ""
        if question.case_page_id:
            point.case_title = question.case_page.title
            point.case_url = question.case_page.get_url(request) or ""
    return found


# --- Attestations and transfer checklists ---------------------------------------------------


@dataclass
class AttestationRow:
    title: str
    version: int | None
    audience: int
    acknowledged: int

    @property
    def rate(self) -> float | None:
        return self.acknowledged / self.audience if self.audience else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else int(self.rate * 1000 + 0.5) / 10


def attestation_completion(*, unit_ids: list[int] | None) -> list[AttestationRow]:
    """Per document: active people in its audience (in scope) and how many acknowledged the version in force.

    The version in force is the latest material one published (a minor version after it does not
    ask again), as in `training.selectors.attestation_status`. Four queries per document; there are few.
    """
    now = timezone.now()
    result = []
    documents = AttestationDocument.objects.prefetch_related("versions").order_by("title")
    for document in documents:
        versions = sorted((v for v in document.versions.all() if v.published_at <= now), key=lambda v: v.number)
        audience = document.audience_people()
        if unit_ids is not None:
            audience = audience.filter(unit_id__in=unit_ids)
        if not versions:
            result.append(AttestationRow(title=document.title, version=None, audience=audience.count(), acknowledged=0))
            continue
        material_from = max([v.number for v in versions if v.material] + [versions[0].number])
        acknowledged = (
            audience.filter(
                pk__in=Acknowledgement.objects.filter(
                    version__document=document, version__number__gte=material_from
                ).values("person_id")
            )
            .order_by()
            .count()
        )
        result.append(
            AttestationRow(
                title=document.title, version=versions[-1].number, audience=audience.count(), acknowledged=acknowledged
            )
        )
    return result


@dataclass
class ChecklistCounts:
    total: int = 0
    confirmed: int = 0
    countersigned: int = 0
    overdue: int = 0

    @property
    def percent(self) -> float | None:
        return int(self.countersigned / self.total * 1000 + 0.5) / 10 if self.total else None


def checklist_completion(
    *, unit_ids: list[int] | None, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> ChecklistCounts:
    """Transfer checklists into the units in scope (created in the period, if given)."""
    rows = TransferChecklist.objects.all()
    if unit_ids is not None:
        rows = rows.filter(to_unit_id__in=unit_ids)
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    if until is not None:
        rows = rows.filter(created_at__lte=until)
    # Overdue as of now, or as of the period's end when that is earlier.
    as_of = min(until, timezone.now()) if until is not None else timezone.now()
    found = rows.aggregate(
        total=Count("pk"),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        countersigned=Count("pk", filter=Q(countersigned_at__isnull=False)),
        overdue=Count("pk", filter=Q(countersigned_at__isnull=True, due_at__lt=as_of)),
    )
    return ChecklistCounts(**found)


def overdue_checklists(*, unit_ids: list[int] | None) -> QuerySet[TransferChecklist]:
    from training.selectors import checklists_overdue

    rows = checklists_overdue().select_related("person__manager")
    return rows if unit_ids is None else rows.filter(to_unit_id__in=unit_ids)


# --- One person's results -------------------------------------------------------------------


def person_results(*, person: Person) -> dict:
    assignments = list(
        Assignment.objects.filter(person=person).select_related("module").order_by("-assigned_at", "-pk")
    )
    attempts = list(
        Attempt.objects.filter(person=person, status=Attempt.Status.SUBMITTED)
        .select_related("quiz")
        .order_by("-submitted_at", "-pk")
    )
    return {"assignments": assignments, "attempts": attempts}


def person_in_scope(*, viewer: Viewer, employee_number: str) -> Person | None:
    person = Person.objects.select_related("unit", "manager", "employment_type").filter(employee_number=employee_number)
    found = person.first()
    if found is None or not viewer.sees_person(found):
        return None
    return found


# --- Rows for exports (streamed; never a list of everything) ---------------------------------


ASSIGNMENT_EXPORT_FIELDS = (
    "person__employee_number",
    "person__family_name",
    "person__given_name",
    "person__unit__code",
    "person__unit__name",
    "person__employment_type__name",
    "person__manager__employee_number",
    "module__title",
    "cycle",
    "status",
    "assigned_at",
    "due_at",
    "completed_at",
    "exempted_at",
    "failed_out_at",
)


def assignment_export_assignments(
    *, cycle: str, unit_ids: list[int] | None, overdue_only: bool = False
) -> QuerySet[Assignment]:
    """The assignments a row-level export lists, in export order."""
    rows = population(cycle=cycle, unit_ids=unit_ids)
    if overdue_only:
        rows = rows.filter(status=Assignment.Status.ASSIGNED, due_at__lt=timezone.now())
    return rows.order_by("pk")


# --- Regulator report -------------------------------------------------------------------------


MAX_REPORT_DAYS = 731


def clean_period(raw_start: str | None, raw_end: str | None) -> tuple[dt.date, dt.date]:
    """Both dates given, in order, not in the future, at most two years apart."""
    try:
        start = dt.date.fromisoformat((raw_start or "").strip())
        end = dt.date.fromisoformat((raw_end or "").strip())
    except ValueError as exc:
        raise BadRequest(_("Give the period as two dates (YYYY-MM-DD).")) from exc
    if end < start:
        raise BadRequest(_("The period ends before it starts."))
    if start > today_jst():
        raise BadRequest(_("The period starts in the future."))
    if (end - start).days > MAX_REPORT_DAYS:
        raise BadRequest(_("The period is longer than two years; issue one report per fiscal year."))
    return start, end


@dataclass
class EnquiryStats:
    received: int
    answered: int
    answered_in_time: int
    open_now: int
    median_hours: float | None
    mean_hours: float | None


@dataclass
class RegulatorData:
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    total: Counts
    units: list[Row]
    modules: list[Row]
    attestations: list[AttestationRow]
    acknowledgements_in_period: dict[str, int]
    checklists: ChecklistCounts
    enquiries: EnquiryStats


def regulator_report_data(*, start: dt.date, end: dt.date) -> RegulatorData:
    """Training due in the period (completion as of the period's end), and what else happened in it.

    Training: assignments due between start and end (Japan time) of people still employed,
    except those archived because the person left the module's audience. Completed means
    completed by the end of the period (or now, if that is earlier); failed out means the last
    allowed quiz attempt failed by then (and no reset since); overdue means due by then, not
    completed and not failed out; exempted assignments are not counted as assigned.
    """
    since = end_of_day_jst(start - dt.timedelta(days=1))
    until = end_of_day_jst(end)
    as_of = min(until, timezone.now())
    status = Assignment.Status
    failed_out = Q(status=status.FAILED_OUT, failed_out_at__lte=as_of)
    rows = (
        Assignment.objects.filter(person__is_active=True, due_at__gt=since, due_at__lte=until)
        .exclude(archive_reason="left_audience")
        .values("person__unit_id", "module_id")
        .annotate(
            assigned=Count("pk", filter=~Q(status=status.EXEMPTED)),
            completed=Count("pk", filter=Q(status=status.COMPLETED, completed_at__lte=as_of)),
            overdue=Count(
                "pk",
                filter=~Q(status=status.EXEMPTED)
                & Q(due_at__lt=as_of)
                & ~Q(status=status.COMPLETED, completed_at__lte=as_of)
                & ~failed_out,
            ),
            exempted=Count("pk", filter=Q(status=status.EXEMPTED)),
            failed_out=Count("pk", filter=failed_out),
        )
        .order_by()
    )
    tree = UnitTree.load()
    per_unit: dict[int, Counts] = defaultdict(Counts)
    per_module: dict[int, Counts] = defaultdict(Counts)
    total = Counts()
    for row in rows:
        counts = _counts(row)
        per_unit[row["person__unit_id"] or NO_UNIT].add(counts)
        per_module[row["module_id"]].add(counts)
        total.add(counts)
    rolled = tree.roll_up(per_unit)
    unit_rows = []
    # Top-level units and the level below: the granularity a regulator reads.
    for pk in tree.children.get(None, []):
        top = tree.units[pk]
        unit_rows.append(Row(key=top.code, label=top.name, counts=rolled.get(pk, Counts()), depth=0))
        for child_pk in tree.children.get(pk, []):
            child = tree.units[child_pk]
            if rolled.get(child_pk):
                unit_rows.append(Row(key=child.code, label=child.name, counts=rolled[child_pk], depth=1))
    titles = dict(TrainingModulePage.objects.filter(pk__in=list(per_module)).values_list("pk", "title"))
    module_rows = sorted(
        (Row(key=str(k), label=titles.get(k, ""), counts=c) for k, c in per_module.items()), key=lambda r: r.label
    )
    acknowledgements = dict(
        Acknowledgement.objects.filter(acknowledged_at__gt=since, acknowledged_at__lte=until)
        .values("version__document__title")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("version__document__title", "n")
    )
    return RegulatorData(
        start=start,
        end=end,
        as_of=as_of,
        total=total,
        units=unit_rows,
        modules=module_rows,
        attestations=attestation_completion(unit_ids=None),
        acknowledgements_in_period=acknowledgements,
        checklists=checklist_completion(unit_ids=None, since=since, until=until),
        enquiries=enquiry_statistics(since=since, until=until),
    )


def enquiry_statistics(*, since: dt.datetime, until: dt.datetime) -> EnquiryStats:
    """Enquiries received in the period; response time is receipt to first answer, in hours."""
    from enquiries.models import Enquiry

    received = answered = in_time = open_now = 0
    hours: list[float] = []
    for created_at, due_at, first_answered_at, status in (
        Enquiry.objects.filter(created_at__gt=since, created_at__lte=until)
        .values_list("created_at", "due_at", "first_answered_at", "status")
        .iterator(chunk_size=2000)
    ):
        received += 1
        if first_answered_at is not None:
            answered += 1
            hours.append((first_answered_at - created_at).total_seconds() / 3600)
            in_time += first_answered_at <= due_at
        if status in (Enquiry.Status.OPEN, Enquiry.Status.AWAITING_ASKER):
            open_now += 1
    hours.sort()
    median = None
    if hours:
        mid = len(hours) // 2
        median = hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2
    return EnquiryStats(
        received=received,
        answered=answered,
        answered_in_time=in_time,
        open_now=open_now,
        median_hours=None if median is None else round(median, 1),
        mean_hours=round(sum(hours) / len(hours), 1) if hours else None,
    )


def export_jobs(*, viewer: Viewer) -> QuerySet:
    """Exports newest first with who asked for them; everyone's for training administrators, else one's own."""
    from .models import ExportJob

    rows = ExportJob.objects.select_related("requested_by").order_by("-requested_at", "-pk")
    return rows if viewer.everything else rows.filter(requested_by=viewer.person)


def issued_reports() -> QuerySet:
    from .models import IssuedReport

    return IssuedReport.objects.defer("pdf").select_related("issued_by")


def headline(*, viewer: Viewer) -> Counts:
    """The viewer's current totals for the home page: one aggregate query, cached with the figures."""

    def compute() -> dict:
        unit_ids = None if viewer.everything else UnitTree.load().subtree_ids(viewer.root_paths)
        return population(cycle=CURRENT, unit_ids=unit_ids).aggregate(**count_expressions(timezone.now()))

    scope = "all" if viewer.everything else caching.scope_key(viewer.root_paths)
    return _counts(caching.cached("headline", scope, compute=compute))
