"""The dashboard's main GROUP BY read from a tally kept ready by PostgreSQL (`AssignmentTally`).

Why: the dashboard groups every assignment by unit × company × employment type × module (about
400 ms at 50,000 people × 20 assignments, every row read, no index helps), and it has to do so
again after each change, since a change drops the cached figures (reports/caching.py). The
tally holds the same rows already grouped: how many assignments share one key (cycle, archived
or not and why, the person's activity, unit, company and employment type, the module, the
status, the due date of those still to do and the Japan-time month of those completed), a few
ten thousand rows at that size. Summing them with the population's conditions gives exactly the
live query's counts; "overdue" (due before now) is decided here, when read.

What keeps it right: triggers in the database (migration reports/0003), not the application.
Every statement that writes `training_assignment` or a person's unit, company, employment type
or activity updates the tally in the same transaction: single saves, `bulk_create`, queryset
`.update()`, COPY, the HR import, the assignment sync and hand-written SQL alike.

Where the live query remains: SQLite has no tally and runs `selectors.main_groups_live`, which
PostgreSQL's tests compare with this module after every kind of write (tests/reports/test_tallies.py).
The job-role GROUP BY is always live.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, DateField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, TruncMonth

from people.models import Person
from training.dates import JST
from training.models import Assignment

from .models import TALLY_KEY, AssignmentTally

GROUP_KEYS = ("unit_id", "company_id", "employment_type_id", "module_id")


def available() -> bool:
    """The tally exists on PostgreSQL only."""
    return connection.vendor == "postgresql"


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("n", filter=condition), 0)


def main_groups(
    *, cycle: str | None, unit_ids: list[int] | None, months: list[dt.date], now: dt.datetime
) -> list[dict]:
    """Rows of `GROUP_KEYS` with the counts of `selectors.count_expressions` and the month counts of
    `selectors.month_count_expressions` (same names), for a cycle (None: the current duties)."""
    status = Assignment.Status
    rows = AssignmentTally.objects.filter(person_active=True)
    if cycle is None:
        rows = rows.filter(archived=False)
    else:
        rows = rows.filter(cycle=cycle).filter(Q(archived=False) | Q(cycle_ended=True))
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    sums = {
        "assigned": _sum(~Q(status=status.EXEMPTED)),
        "completed": _sum(Q(status=status.COMPLETED)),
        "overdue": _sum(Q(status=status.ASSIGNED, due_at__lt=now)),
        "exempted": _sum(Q(status=status.EXEMPTED)),
        "failed_out": _sum(Q(status=status.FAILED_OUT)),
        "month_before": _sum(Q(completed_month__lt=months[0])),
    }
    for month in months:
        sums[f"month_{month:%Y%m}"] = _sum(Q(completed_month=month))
    sums["month_after"] = _sum(Q(completed_month__gt=months[-1]))
    return list(rows.values(*GROUP_KEYS).annotate(**sums).order_by())


# --- checking and rebuilding the tally ------------------------------------------------------------
# The triggers keep the tally right through any write, but not through what bypasses them: a
# restore of one table without the other, `session_replication_role = replica` during a bulk load,
# a trigger dropped by hand. `manage.py tally_check` compares the tally with the assignments
# themselves and, with --repair, counts it afresh.


def counted_from_assignments() -> dict[tuple, int]:
    """{key: number of assignments}, grouped as the triggers group them (migration reports/0003)."""
    status = Assignment.Status
    key = {  # in TALLY_KEY's order; aliased, as some names are the assignment's own fields
        "cycle": F("cycle"),
        "module_id": F("module_id"),
        "unit_id": F("person__unit_id"),
        "company_id": F("person__company_id"),
        "employment_type_id": F("person__employment_type_id"),
        "status": F("status"),
        "archived": ExpressionWrapper(Q(archived_at__isnull=False), output_field=BooleanField()),
        "cycle_ended": Case(When(archive_reason="cycle_ended", then=Value(True)), default=Value(False)),
        "person_active": F("person__is_active"),
        "due_at": Case(When(status=status.ASSIGNED, then=F("due_at"))),
        "completed_month": Case(
            When(
                status=status.COMPLETED,
                then=Cast(TruncMonth("completed_at", tzinfo=JST), output_field=DateField()),
            )
        ),
    }
    aliases = {f"k_{name}": key[name] for name in TALLY_KEY}
    rows = Assignment.objects.annotate(**aliases).values(*aliases).annotate(n=Count("pk")).order_by()
    return {tuple(row[alias] for alias in aliases): row["n"] for row in rows}


def in_tally() -> dict[tuple, int]:
    return {row[:-1]: row[-1] for row in AssignmentTally.objects.values_list(*TALLY_KEY, "n").order_by()}


@transaction.atomic
def check(*, repair: bool = False) -> int:
    """The number of keys whose count differs between the tally and the assignments; with `repair`,
    the tally is counted afresh (and the number is what was wrong before).

    The two tables are locked against writes meanwhile, so no write falls between the count and
    the comparison (readers go on; writers wait a second or two at 1,000,000 assignments).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {Assignment._meta.db_table}, {Person._meta.db_table}, {AssignmentTally._meta.db_table} "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
    expected, actual = counted_from_assignments(), in_tally()
    wrong = sum(1 for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key))
    if repair and wrong:
        AssignmentTally.objects.all().delete()
        AssignmentTally.objects.bulk_create(
            (AssignmentTally(**dict(zip(TALLY_KEY, key, strict=True)), n=n) for key, n in expected.items()),
            batch_size=5000,
        )
    return wrong
