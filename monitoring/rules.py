"""The detection rules: each reads access events and flags one id on one day.

A finding is keyed `kind:system:account:day` (the day in the portal's time zone). The rules run
over whole days, so running them again over the same events finds the same findings and refreshes
their counts; a closed finding is left as it was closed, never reopened.

Each rule aggregates in the database (one row per id and day) or, for bursts, streams the events of
the candidate ids once; the number of queries does not grow with the number of events.
"""

import datetime as dt
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from audit.services import audit_record
from people.models import Company, Person, Transfer, Unit

from .models import AccessEvent, ContractPurpose, Finding, LogSource, Rule, SystemAccount, Terminal
from .register import register_sync_from_transfers

BATCH = 1000
DEFAULT_BURST = {"records": 100, "minutes": 60}


@dataclass
class Group:
    """What one id did on one day, as far as one rule is concerned."""

    system: str
    account_id: str
    day: dt.date
    person_id: int | None
    first_at: dt.datetime
    last_at: dt.datetime
    events: int
    records: int
    keys: set = field(default_factory=set, repr=False)  # bursts only: the records in burst windows


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _day_groups(events: QuerySet, *, distinct_records: bool = True) -> list[Group]:
    """One group per system, id and day. Without `distinct_records` (a cheaper hash aggregate),
    `records` is the number of views, an upper bound of the distinct records."""
    records = (
        Count("record_key", distinct=True, filter=~Q(record_key=""))
        if distinct_records
        else Count("id", filter=~Q(record_key=""))
    )
    rows = (
        events.annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_default_timezone()))
        .values("source__system", "account_id", "day")
        .annotate(
            holder=Max("person"), first=Min("occurred_at"), last=Max("occurred_at"), n=Count("id"), records=records
        )
        .order_by()
    )
    return [
        Group(r["source__system"], r["account_id"], r["day"], r["holder"], r["first"], r["last"], r["n"], r["records"])
        for r in rows.iterator(chunk_size=BATCH)
    ]


def units_then(pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], int | None]:
    """The unit each person belonged to on each day, from their transfers (two queries)."""
    pairs = set(pairs)
    person_ids = {p for p, _day in pairs}
    current = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "unit_id"))
    moves: dict[int, list[tuple[dt.date, int, int]]] = {}
    for person_id, on, from_unit, to_unit in (
        Transfer.objects.filter(person_id__in=person_ids)
        .order_by("effective_on", "pk")
        .values_list("person_id", "effective_on", "from_unit_id", "to_unit_id")
    ):
        moves.setdefault(person_id, []).append((on, from_unit, to_unit))
    result = {}
    for person_id, day in pairs:
        history = moves.get(person_id)
        unit = current.get(person_id)
        if history:
            before = [to_unit for on, _f, to_unit in history if on <= day]
            unit = before[-1] if before else history[0][1]
        result[(person_id, day)] = unit
    return result


# --- The rules ----------------------------------------------------------------------------------


def retail_views_non_public(rule: Rule, events: QuerySet) -> list[Group]:
    """A person on the retail side (their unit that day belongs to a retailer) viewing non-public grid data.

    Staffing-agency and contractor staff placed in a retailer unit count as retail side; grid-company
    staff do not. `params["job_roles"]`, when given, narrows the rule to people with those roles.
    """
    non_public = Q(pk__in=[])
    for source_id, types in LogSource.objects.values_list("pk", "non_public_record_types"):
        types = [str(t) for t in types or []]
        non_public |= Q(source_id=source_id, record_type__in=types) if types else Q(source_id=source_id)
    groups = _day_groups(events.filter(non_public, person__isnull=False))
    if not groups:
        return []
    unit_on = units_then((g.person_id, g.day) for g in groups)
    retail_units = set(Unit.objects.filter(company__kind=Company.Kind.RETAILER).values_list("pk", flat=True))
    person_ids = {g.person_id for g in groups}
    retail_people = set(
        Person.objects.filter(pk__in=person_ids, company__kind=Company.Kind.RETAILER).values_list("pk", flat=True)
    )
    wanted_roles = [str(code) for code in (rule.params or {}).get("job_roles") or []]
    with_roles = (
        set(Person.objects.filter(pk__in=person_ids, job_roles__code__in=wanted_roles).values_list("pk", flat=True))
        if wanted_roles
        else person_ids
    )

    def retail_side(g: Group) -> bool:
        unit = unit_on[(g.person_id, g.day)]
        return unit in retail_units if unit is not None else g.person_id in retail_people

    return [g for g in groups if g.person_id in with_roles and retail_side(g)]


def id_after_move(rule: Rule, events: QuerySet) -> list[Group]:
    """An id used on a day after its holder moved to the retailer, or after its removal date."""
    cutoffs: dict[tuple[str, str], dt.date] = {}
    for system, account, moved, due in SystemAccount.objects.filter(
        Q(holder_moved_on__isnull=False) | Q(removal_due_on__isnull=False)
    ).values_list("system", "account_id", "holder_moved_on", "removal_due_on"):
        cutoffs[(system, account)] = min(d for d in (moved, due) if d is not None)
    if not cutoffs:
        return []
    groups = _day_groups(events.filter(account_id__in={account for _s, account in cutoffs}))
    return [g for g in groups if (g.system, g.account_id) in cutoffs and g.day > cutoffs[(g.system, g.account_id)]]


def shared_terminal(rule: Rule, events: QuerySet) -> list[Group]:
    """Any view from a terminal registered in an office shared with the retailer."""
    shared = Terminal.objects.filter(is_shared_office=True).values("code")
    return _day_groups(events.filter(terminal__in=shared))


def burst(rule: Rule, events: QuerySet) -> list[Group]:
    """At least `records` distinct records by one id within any `minutes`-long window."""
    params = {**DEFAULT_BURST, **(rule.params or {})}
    threshold = max(int(params["records"]), 1)
    # Up to a day: the candidate days below rely on it.
    window = dt.timedelta(minutes=min(max(float(params["minutes"]), 0), 24 * 60))
    with_records = events.exclude(record_key="")
    # A window of at most a day ending on day d holds events of d and d-1 only, so it can reach the
    # threshold only where those two days' views together do. One aggregate finds those days; only
    # their events are read one by one.
    per_day = {(g.system, g.account_id, g.day): g.records for g in _day_groups(with_records, distinct_records=False)}
    one_day = dt.timedelta(days=1)
    candidate_days = {
        (system, account, day)
        for (system, account, day), records in per_day.items()
        if records + per_day.get((system, account, day - one_day), 0) >= threshold
    }
    if not candidate_days:
        return []
    candidates = {(system, account) for system, account, _day in candidate_days}
    first_day = min(day for _s, _a, day in candidate_days) - one_day
    last_day = max(day for _s, _a, day in candidate_days)
    stream = (
        with_records.filter(
            account_id__in={account for _s, account in candidates},
            occurred_at__gte=day_start(first_day),
            occurred_at__lt=day_start(last_day + one_day),
        )
        .order_by("source__system", "account_id", "occurred_at", "pk")
        .values_list("source__system", "account_id", "occurred_at", "record_key", "person_id")
    )
    tz = timezone.get_default_timezone()
    found: dict[tuple[str, str, dt.date], Group] = {}
    current = None
    recent: deque = deque()
    in_window: Counter = Counter()
    index = marked = 0

    for system, account, at, key, person_id in stream.iterator(chunk_size=5000):
        if (system, account) != current:
            current = (system, account)
            recent.clear()
            in_window.clear()
            marked = index
        index += 1
        on = timezone.localtime(at, tz).date()
        wanted = (system, account, on) in candidate_days or (system, account, on + one_day) in candidate_days
        if not wanted:
            continue
        recent.append((index, at, key, person_id))
        in_window[key] += 1
        while recent and recent[0][1] <= at - window:
            _i, _at, old, _p = recent.popleft()
            in_window[old] -= 1
            if not in_window[old]:
                del in_window[old]
        if len(in_window) < threshold:
            continue
        # Every event in this window is part of a burst; count each once.
        for i, when, record, holder in recent:
            if i <= marked:
                continue
            day = timezone.localtime(when, tz).date()
            group = found.get((system, account, day))
            if group is None:
                group = found[(system, account, day)] = Group(system, account, day, holder, when, when, 0, 0)
            group.first_at = min(group.first_at, when)
            group.last_at = max(group.last_at, when)
            group.events += 1
            group.keys.add(record)
            group.person_id = group.person_id or holder
        marked = index
    for group in found.values():
        group.records = len(group.keys)
        group.keys = set()
    return list(found.values())


def contractor_purpose(rule: Rule, events: QuerySet) -> list[Group]:
    """Contractor staff viewing a system or record type no contract purpose of their company covers that day.

    A purpose with no record types allows every record type of its systems.
    """
    covered = Q(pk__in=[])
    for purpose in ContractPurpose.objects.filter(company__kind=Company.Kind.CONTRACTOR):
        systems = [str(s) for s in purpose.systems or []]
        if not systems:
            continue
        cover = Q(
            person__company_id=purpose.company_id,
            source__system__in=systems,
            occurred_at__gte=day_start(purpose.valid_from),
        )
        if purpose.valid_until is not None:
            cover &= Q(occurred_at__lt=day_start(purpose.valid_until + dt.timedelta(days=1)))
        types = [str(t) for t in purpose.allowed_record_types or []]
        if types:
            cover &= Q(record_type__in=types)
        covered |= cover
    return _day_groups(events.filter(person__company__kind=Company.Kind.CONTRACTOR).exclude(covered))


RULES: dict[str, Callable[[Rule, QuerySet], list[Group]]] = {
    Rule.Kind.RETAIL_VIEWS_NON_PUBLIC: retail_views_non_public,
    Rule.Kind.ID_AFTER_MOVE: id_after_move,
    Rule.Kind.SHARED_TERMINAL: shared_terminal,
    Rule.Kind.BURST: burst,
    Rule.Kind.CONTRACTOR_PURPOSE: contractor_purpose,
}


def finding_key(kind: str, system: str, account_id: str, day: dt.date) -> str:
    return f"{kind}:{system}:{account_id}:{day.isoformat()}"


def _save(rule: Rule, groups: list[Group]) -> tuple[list[Finding], int]:
    """Create the new findings and refresh the open ones; returns (created, refreshed count)."""
    by_key = {finding_key(rule.kind, g.system, g.account_id, g.day): g for g in groups}
    unit_on = units_then((g.person_id, g.day) for g in groups if g.person_id)
    if not by_key:
        return [], 0
    # One query for the rule's findings on those days (not one per batch of keys).
    days = [g.day for g in groups]
    existing = {
        f.key: f
        for f in Finding.objects.filter(rule=rule, on_date__gte=min(days), on_date__lte=max(days)).iterator(
            chunk_size=5000
        )
        if f.key in by_key
    }
    new, changed = [], []
    fields = ("person_id", "unit_id", "first_at", "last_at", "event_count", "record_count")
    for key, g in by_key.items():
        values = {
            "person_id": g.person_id,
            "unit_id": unit_on.get((g.person_id, g.day)) if g.person_id else None,
            "first_at": g.first_at,
            "last_at": g.last_at,
            "event_count": g.events,
            "record_count": g.records,
        }
        finding = existing.get(key)
        if finding is None:
            new.append(Finding(rule=rule, system=g.system, account_id=g.account_id, key=key, on_date=g.day, **values))
        elif finding.status != Finding.Status.CLOSED and any(getattr(finding, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(finding, k, v)
            changed.append(finding)
    created = Finding.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        Finding.objects.bulk_update(changed, [f.removesuffix("_id") for f in fields], batch_size=BATCH)
    return created, len(changed)


def events_span(events: QuerySet) -> QuerySet | None:
    """All events on the whole days the given events fall on, or None when there are none."""
    span = events.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    if span["first"] is None:
        return None
    first = timezone.localdate(span["first"])
    last = timezone.localdate(span["last"])
    return AccessEvent.objects.filter(
        occurred_at__gte=day_start(first), occurred_at__lt=day_start(last + dt.timedelta(days=1))
    )


@transaction.atomic
def rules_run(*, events: QuerySet | None = None) -> int:
    """Run every enabled rule over the days of `events` (all events when None); returns new findings.

    The register is brought up to date from transfers and checklists first.
    """
    register_sync_from_transfers()
    scope = AccessEvent.objects.all() if events is None else events_span(events)
    if scope is None:
        return 0
    created_by_rule: dict[str, list[int]] = {}
    refreshed: dict[str, int] = {}
    for rule in Rule.objects.filter(enabled=True):
        check = RULES.get(rule.kind)
        if check is None:
            continue
        created, changed = _save(rule, check(rule, scope))
        if created:
            created_by_rule[rule.kind] = [f.pk for f in created]
        if changed:
            refreshed[rule.kind] = changed
    total = sum(len(ids) for ids in created_by_rule.values())
    if total or refreshed:
        audit_record(
            actor=None,
            action="monitoring.rules_run",
            target_type="monitoring.finding",
            detail={"created": created_by_rule, "refreshed": refreshed},
        )
    return total
