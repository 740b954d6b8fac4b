"""Business days in Japan: weekends and national holidays (国民の祝日) are not business days.

Holidays follow the Act on National Holidays as it stands since 2022 (the Olympic years
2020–2021 moved some dates and are not reproduced): fixed days, "Happy Monday" days, the two
equinoxes by the usual approximation (valid 1980–2099), substitute holidays (振替休日) and the
citizens' holiday (国民の休日) between two holidays.
"""

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
FIXED = [(1, 1), (2, 11), (2, 23), (4, 29), (5, 3), (5, 4), (5, 5), (8, 11), (11, 3), (11, 23)]
# (month, nth Monday)
HAPPY_MONDAYS = [(1, 2), (7, 3), (9, 3), (10, 2)]


def _nth_monday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _equinox(year: int, base: float) -> int:
    return int(base + 0.242194 * (year - 1980) - (year - 1980) // 4)


@cache
def holidays(year: int) -> frozenset[dt.date]:
    days = {dt.date(year, m, d) for m, d in FIXED}
    days |= {_nth_monday(year, m, n) for m, n in HAPPY_MONDAYS}
    days.add(dt.date(year, 3, _equinox(year, 20.8431)))
    days.add(dt.date(year, 9, _equinox(year, 23.2488)))
    # A weekday squeezed between two holidays is a holiday too (e.g. 22 September 2026).
    for day in sorted(days):
        between = day + dt.timedelta(days=1)
        if between.weekday() != 6 and between not in days and between + dt.timedelta(days=1) in days:
            days.add(between)
    # A holiday on a Sunday moves to the next day that is not already a holiday.
    for day in sorted(days):
        if day.weekday() == 6:
            substitute = day + dt.timedelta(days=1)
            while substitute in days:
                substitute += dt.timedelta(days=1)
            days.add(substitute)
    return frozenset(days)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th business day after `day` (the day itself is not counted)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def due_at(received: dt.datetime, business_days: int) -> dt.datetime:
    """End of the day (JST) by which an enquiry received at `received` must be answered."""
    due_day = add_business_days(received.astimezone(JST).date(), business_days)
    return dt.datetime.combine(due_day, dt.time(23, 59, 59), tzinfo=JST)
