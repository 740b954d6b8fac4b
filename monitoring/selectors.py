"""Reads of access monitoring. Only compliance auditors may be shown what these return about
people (names, ids, events); the regulator report's statistics are counts only.

Every function that lists findings, events or the register is called by a view that has
checked `is_auditor` first and writes an audit entry.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infrastructure.disclosure import shown, suppressed, whole_months
from people.roles import COMPLIANCE_AUDITORS

from .auditors import is_auditor  # noqa: F401 (views and hooks ask the selectors)
from .models import AccessEvent, ContractPurpose, Finding, LogImport, LogSource, Rule, System, SystemAccount, Terminal

EVENTS_SHOWN = 500

# What each rule flags, in words an auditor reads on the rules page (a rule's own description,
# when an auditor wrote one, is shown instead).
RULE_EXPLANATIONS = {
    Rule.Kind.RETAIL_VIEWS_NON_PUBLIC: _(
        "A person of the retailer (or temp or contractor staff placed in a retailer unit) opened a record type "
        "that holds non-public grid information. Grid-company staff are not flagged."
    ),
    Rule.Kind.ID_AFTER_MOVE: _(
        "A grid system id was used after its holder moved to the retailer, or after the date by which their "
        "transfer checklist said it would be removed."
    ),
    Rule.Kind.SHARED_TERMINAL: _(
        "A record was opened from a terminal registered to an office shared with the retailer (the Hachinohe case)."
    ),
    Rule.Kind.BURST: _(
        "One id opened at least the given number of different records within the given number of minutes (the "
        "call-centre case)."
    ),
    Rule.Kind.CONTRACTOR_PURPOSE: _(
        "Contractor staff opened a system or record type that no contract purpose of their company valid on the "
        "day covers."
    ),
}


def auditors() -> QuerySet:
    from people.models import Person

    return Person.objects.filter(is_active=True, groups__name=COMPLIANCE_AUDITORS).order_by(
        "family_name", "given_name", "email"
    )


# --- findings --------------------------------------------------------------------------------


def findings(*, status: str = "", rule: str = "", system: str = "", unit: int | None = None, person=None) -> QuerySet:
    """Findings, newest day first, filtered by status, rule kind, system and unit (any may be empty)."""
    qs = Finding.objects.select_related("rule", "person", "unit", "assignee")
    if status == "active":
        qs = qs.exclude(status=Finding.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule__kind=rule)
    if system:
        qs = qs.filter(system=system)
    if unit:
        qs = qs.filter(unit_id=unit)
    if person is not None:
        qs = qs.filter(person=person)
    return qs.order_by("-on_date", "-pk")


def finding_get(*, pk: int) -> Finding | None:
    return Finding.objects.select_related("rule", "person", "person__company", "unit", "assignee").filter(pk=pk).first()


def finding_events(*, finding: Finding, limit: int = EVENTS_SHOWN) -> list[AccessEvent]:
    """The events behind a finding: that id in that system between its first and last view."""
    return list(
        AccessEvent.objects.filter(
            source__system=finding.system,
            account_id=finding.account_id,
            occurred_at__gte=finding.first_at,
            occurred_at__lte=finding.last_at,
        )
        .select_related("source")
        .order_by("occurred_at", "pk")[:limit]
    )


def finding_notes(*, finding: Finding) -> QuerySet:
    return finding.notes.select_related("author").order_by("created_at", "pk")


def finding_register_entry(*, finding: Finding) -> SystemAccount | None:
    return SystemAccount.objects.filter(system=finding.system, account_id=finding.account_id).first()


def finding_units() -> QuerySet:
    """The units that have findings, for the list's filter."""
    from people.models import Unit

    return Unit.objects.filter(pk__in=Finding.objects.exclude(unit=None).values("unit")).order_by("path")


def status_counts() -> dict[str, int]:
    return dict(Finding.objects.values_list("status").annotate(n=Count("pk")).order_by())


# --- dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    open: int
    percent: int  # of the largest row, for the bar's length
    value: str = ""  # the filter value a drill-down link uses


def _bars(rows: list[tuple[str, str, int, int]]) -> list[Bar]:
    top = max((count for _v, _l, count, _o in rows), default=0) or 1
    return [
        Bar(label=label, count=count, open=open_, percent=round(100 * count / top), value=value)
        for value, label, count, open_ in rows
    ]


def _grouped(field: str) -> list[tuple]:
    return list(
        Finding.objects.values_list(field)
        .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status=Finding.Status.CLOSED)))
        .order_by("-n", field)
    )


@dataclass(frozen=True)
class Dashboard:
    total: int
    active: int
    new: int
    closed: int
    by_month: list[Bar]
    by_unit: list[Bar]
    by_rule: list[Bar]
    by_system: list[Bar]
    imports: int
    last_import: LogImport | None
    unknown_accounts: int


def dashboard(*, months: int = 12, today: datetime.date | None = None) -> Dashboard:
    """Counts of findings over time and by unit, rule and system (a handful of GROUP BY queries)."""
    today = today or timezone.localdate()
    first_month = today.replace(day=1) - relativedelta(months=months - 1)
    per_month = {
        month: (n, open_)
        for month, n, open_ in Finding.objects.filter(on_date__gte=first_month)
        .annotate(month=TruncMonth("on_date"))
        .values_list("month")
        .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status=Finding.Status.CLOSED)))
        .order_by("month")
    }
    month_rows = []
    for i in range(months):
        month = first_month + relativedelta(months=i)
        n, open_ = per_month.get(month, (0, 0))
        month_rows.append((month.isoformat(), month, n, open_))
    top = max((n for *_r, n, _o in month_rows), default=0) or 1
    by_month = [
        Bar(label=month, count=n, open=open_, percent=round(100 * n / top), value=value)
        for value, month, n, open_ in month_rows
    ]

    from people.models import Unit

    unit_rows = _grouped("unit")
    unit_names = dict(Unit.objects.filter(pk__in=[u for u, *_ in unit_rows if u]).values_list("pk", "name"))
    by_unit = _bars(
        [(str(u or ""), unit_names.get(u) or str(_("Unknown id (no person)")), n, o) for u, n, o in unit_rows]
    )
    rule_labels = dict(Rule.Kind.choices)
    by_rule = _bars([(k, str(rule_labels.get(k, k)), n, o) for k, n, o in _grouped("rule__kind")])
    system_labels = dict(System.choices)
    by_system = _bars([(s, str(system_labels.get(s, s)), n, o) for s, n, o in _grouped("system")])
    counts = status_counts()
    return Dashboard(
        total=sum(counts.values()),
        active=counts.get(Finding.Status.OPEN, 0) + counts.get(Finding.Status.INVESTIGATING, 0),
        new=counts.get(Finding.Status.OPEN, 0),
        closed=counts.get(Finding.Status.CLOSED, 0),
        by_month=by_month,
        by_unit=by_unit,
        by_rule=by_rule,
        by_system=by_system,
        imports=LogImport.objects.count(),
        last_import=LogImport.objects.select_related("source").defer("content").first(),
        unknown_accounts=unknown_accounts().count(),
    )


# --- rules, imports, register --------------------------------------------------------------------


def rules_with_figures() -> QuerySet:
    return Rule.objects.annotate(
        findings_total=Count("findings"),
        findings_active=Count("findings", filter=~Q(findings__status=Finding.Status.CLOSED)),
    ).order_by("kind")


def rule_explanation(rule: Rule) -> str:
    return rule.description or str(RULE_EXPLANATIONS.get(rule.kind, ""))


def sources() -> QuerySet:
    return LogSource.objects.filter(is_active=True).order_by("code")


def imports() -> QuerySet:
    return LogImport.objects.select_related("source", "uploaded_by").defer("content").order_by("-created_at", "-pk")


def import_get(*, pk: int) -> LogImport | None:
    return imports().filter(pk=pk).first()


def register_entries(*, system: str = "", query: str = "") -> QuerySet:
    qs = SystemAccount.objects.select_related("person", "person__unit")
    if system:
        qs = qs.filter(system=system)
    if query:
        qs = qs.filter(
            Q(account_id__icontains=query)
            | Q(person__family_name__icontains=query)
            | Q(person__given_name__icontains=query)
            | Q(person__employee_number__iexact=query)
        )
    return qs.order_by("system", "account_id")


def unknown_accounts() -> QuerySet:
    """System ids seen in the logs that the register maps to nobody, with their number of views."""
    return (
        AccessEvent.objects.filter(person__isnull=True)
        .values("source__system", "account_id")
        .annotate(views=Count("pk"))
        .order_by("-views", "account_id")
    )


TERMINALS_SEEN_DAYS = 90


@dataclass(frozen=True)
class TerminalSeen:
    code: str
    views: int  # in the last TERMINALS_SEEN_DAYS days
    last_at: datetime.datetime | None
    terminal: Terminal | None  # None: in the logs, but nobody has said where it is


def terminals() -> tuple[list[TerminalSeen], list[TerminalSeen]]:
    """(every registered terminal, the terminals the logs name that are not registered, most views
    first): an unregistered terminal in a shared office is exactly what the rules cannot see."""
    since = timezone.now() - datetime.timedelta(days=TERMINALS_SEEN_DAYS)
    seen = {
        row["terminal"]: row
        for row in AccessEvent.objects.filter(occurred_at__gte=since)
        .exclude(terminal="")
        .values("terminal")
        .annotate(views=Count("pk"), last_at=Max("occurred_at"))
        .order_by()
    }
    registered = [
        TerminalSeen(t.code, seen.get(t.code, {}).get("views", 0), seen.get(t.code, {}).get("last_at"), t)
        for t in Terminal.objects.order_by("-is_shared_office", "code")
    ]
    codes = {t.code for t in registered}
    unregistered = sorted(
        (TerminalSeen(code, row["views"], row["last_at"], None) for code, row in seen.items() if code not in codes),
        key=lambda t: (-t.views, t.code),
    )
    return registered, unregistered


def contract_purposes() -> QuerySet:
    return ContractPurpose.objects.select_related("company").order_by("company__code", "-valid_from", "pk")


# --- the regulator report's section: counts only ------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    month: datetime.date
    rule_label: str
    system_label: str
    count: int | None  # None: suppressed (infrastructure.disclosure)

    @property
    def display(self) -> str:
        return shown(self.count)


@dataclass(frozen=True)
class ReportTotal:
    label: str
    count: int | None

    @property
    def display(self) -> str:
        return shown(self.count)


@dataclass(frozen=True)
class MonitoringStatistics:
    start: datetime.date
    end: datetime.date
    rows: list[ReportRow]
    by_rule: list[ReportTotal]
    by_outcome: list[ReportTotal]
    total: int | None

    @property
    def has_months(self) -> bool:
        return self.start <= self.end

    @property
    def total_display(self) -> str:
        return shown(self.total)


def monitoring_statistics(
    *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> MonitoringStatistics:
    """Findings by month, rule and system, by rule and by outcome, in whole ended months.

    Counts only; no names, ids, units or days. Any cell, and the total, under five is shown as
    "<5" so that a small number cannot point to a person.
    """
    first, last = whole_months(start=start, end=end, today=today)
    cells: Counter = Counter()
    outcomes: Counter = Counter()
    if first <= last:
        for on_date, kind, system, status, outcome in Finding.objects.filter(
            on_date__gte=first, on_date__lte=last
        ).values_list("on_date", "rule__kind", "system", "status", "outcome"):
            cells[(on_date.replace(day=1), kind, system)] += 1
            outcomes[outcome if status == Finding.Status.CLOSED else "open"] += 1
    rule_labels = dict(Rule.Kind.choices)
    system_labels = dict(System.choices)
    rows = [
        ReportRow(
            month=month,
            rule_label=str(rule_labels.get(kind, kind)),
            system_label=str(system_labels.get(system, system)),
            count=suppressed(count),
        )
        for (month, kind, system), count in sorted(cells.items())
    ]
    per_rule: Counter = Counter()
    for (_month, kind, _system), count in cells.items():
        per_rule[kind] += count
    by_rule = [ReportTotal(str(rule_labels[k]), suppressed(per_rule[k])) for k in Rule.Kind.values if per_rule[k]]
    outcome_labels = {**dict(Finding.Outcome.choices), "open": _("Not closed yet")}
    by_outcome = [
        ReportTotal(str(outcome_labels[k]), suppressed(outcomes[k]))
        for k in ["open", *Finding.Outcome.values]
        if outcomes[k]
    ]
    return MonitoringStatistics(
        start=first,
        end=last,
        rows=rows,
        by_rule=by_rule,
        by_outcome=by_outcome,
        total=suppressed(sum(cells.values())),
    )
