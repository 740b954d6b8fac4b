"""Fiscal years, due dates and the reminder days before them, in Japanese time whatever the server's clock says."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

JST = ZoneInfo("Asia/Tokyo")
ONE_OFF_CYCLE = "once"
# Reminders go out this many days before the due date (then weekly once overdue, see `reminder_due_today`).
REMINDER_DAYS_BEFORE = (14, 7, 1)


def today_jst() -> dt.date:
    return timezone.now().astimezone(JST).date()


def fiscal_year_of(day: dt.date) -> int:
    """Japanese fiscal year (年度): FY2026 runs from 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_cycle(day: dt.date) -> str:
    return f"FY{fiscal_year_of(day)}"


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def end_of_day_jst(day: dt.date) -> dt.datetime:
    """The last instant of `day` in Japan: a due date is met by anything up to 23:59:59.999999 JST."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=JST)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(JST).date()


def cycle_label(cycle: str) -> str:
    """ "FY2026" as people say it (2026年度 in Japanese); one-off modules have no year."""
    if cycle.startswith("FY") and cycle[2:].isdigit():
        return _("FY%(year)s") % {"year": cycle[2:]}
    if cycle == ONE_OFF_CYCLE:
        return _("One-off")
    return cycle


def reminder_due_today(*, due_date: dt.date, today: dt.date) -> bool:
    """14, 7 and 1 days before the due date, then weekly from the first day overdue."""
    days_left = (due_date - today).days
    if days_left in REMINDER_DAYS_BEFORE:
        return True
    overdue = -days_left
    return overdue >= 1 and (overdue - 1) % 7 == 0
