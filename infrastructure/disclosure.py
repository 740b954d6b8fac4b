"""How figures leave a closed area (the hotline's cases, the monitoring findings) for the regulator
report: counts only, whole ended calendar months, and small counts shown as "<5".

One rule for every section, so that no section of the same report can be read against another to
reveal what the other suppressed.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

SUPPRESSION_THRESHOLD = 5


def suppressed(count: int) -> int | None:
    """The count as it may be shown: None (shown as "<5") when it is small enough to point at a person."""
    return count if count >= SUPPRESSION_THRESHOLD else None


def shown(count: int | None) -> str:
    return str(count) if count is not None else f"<{SUPPRESSION_THRESHOLD}"


def whole_months(
    *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The whole calendar months inside start..end that have already ended, as (first day, last day).

    Counting only whole, ended months means two reports whose periods differ by a day (or a
    report run during a month) give the same figures, so differencing them reveals nothing
    finer than a month. When no month qualifies, the first day is after the last.
    """
    today = today or timezone.localdate()
    first = start if start.day == 1 else start.replace(day=1) + relativedelta(months=1)
    month_end = end + relativedelta(day=31)
    last = end if end == month_end else end.replace(day=1) - datetime.timedelta(days=1)
    last = min(last, today.replace(day=1) - datetime.timedelta(days=1))
    return first, last
