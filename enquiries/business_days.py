"""Business days in Japan: weekends and national holidays (国民の祝日) are not business days.

The holidays come from `jpholiday`, which follows the Act on National Holidays with its
substitute holidays (振替休日), the citizens' holiday (国民の休日) between two holidays, and the
one-off moves of past years (e.g. the 2020–2021 Olympic dates). The company has no closing days
of its own here: only national holidays and weekends.
"""

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import jpholiday

JST = ZoneInfo("Asia/Tokyo")


@cache
def holidays(year: int) -> frozenset[dt.date]:
    return frozenset(day for day, _name in jpholiday.year_holidays(year))


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
