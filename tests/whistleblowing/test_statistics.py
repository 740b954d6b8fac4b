"""Hotline statistics count whole calendar months that have ended (issue 14 item 7)."""

import datetime

import time_machine
from django.test import RequestFactory
from django.utils import timezone
from wagtail import hooks

from whistleblowing import selectors


def _at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def _file_many(file_report, day, count, category="fraud"):
    with time_machine.travel(_at(*day, 10, 0), tick=False):
        for _ in range(count):
            file_report(category=category)


def test_reports_one_day_apart_cannot_be_differenced(handler, file_report):
    """Before: a range ending on the 14th and one ending on the 15th differed by that day's reports."""
    _file_many(file_report, (2026, 5, 10), 5)
    _file_many(file_report, (2026, 5, 15), 5)
    today = datetime.date(2026, 8, 1)
    to_14th = selectors.hotline_statistics(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 5, 14), today=today)
    to_15th = selectors.hotline_statistics(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 5, 15), today=today)
    assert to_14th.rows == to_15th.rows == []  # May is not whole in either: it is left out
    whole = selectors.hotline_statistics(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 5, 31), today=today)
    assert [(r.month, r.count) for r in whole.rows] == [(datetime.date(2026, 5, 1), 10)]
    assert (whole.start, whole.end) == (datetime.date(2026, 4, 1), datetime.date(2026, 5, 31))


def test_a_part_month_at_the_start_and_the_current_month_are_left_out(handler, file_report):
    _file_many(file_report, (2026, 5, 20), 6)
    _file_many(file_report, (2026, 6, 3), 6)
    _file_many(file_report, (2026, 7, 2), 6)
    stats = selectors.hotline_statistics(
        start=datetime.date(2026, 5, 2), end=datetime.date(2026, 12, 31), today=datetime.date(2026, 7, 20)
    )
    assert [r.month for r in stats.rows] == [datetime.date(2026, 6, 1)]
    assert (stats.start, stats.end) == (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    assert stats.total == 6


def test_the_regulator_report_section_says_which_whole_months_it_counts(handler, file_report):
    _file_many(file_report, (2026, 5, 10), 6, category="harassment")
    request = RequestFactory().get("/reports/")
    with time_machine.travel(_at(2026, 6, 10, 9, 0), tick=False):
        html = "".join(
            fn(request, start=datetime.date(2026, 4, 15), end=datetime.date(2026, 6, 9))
            for fn in hooks.get_hooks("regulator_report_sections")
        )
        assert "2026-05" in html and ">6<" in html and "2026-04" not in html
        none = "".join(
            fn(request, start=datetime.date(2026, 5, 2), end=datetime.date(2026, 5, 30))
            for fn in hooks.get_hooks("regulator_report_sections")
        )
    assert ">6<" not in none
