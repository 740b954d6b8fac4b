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

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from training.models import Assignment

from .models import AssignmentTally

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
