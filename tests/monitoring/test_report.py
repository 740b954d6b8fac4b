"""The regulator report's monitoring section: counts by month, rule and system in whole ended
months, cells under five shown as "<5", no names, ids or units."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone
from wagtail import hooks

from monitoring.models import Finding, Rule, System
from monitoring.selectors import monitoring_statistics

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 4)


def make_findings(kind: str, system: str, day: dt.date, count: int, *, person=None, unit=None) -> None:
    rule = Rule.objects.get(kind=kind)
    at = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    for n in range(count):
        Finding.objects.create(
            rule=rule,
            system=system,
            account_id=f"ZZSECRET{n}",
            person=person,
            unit=unit,
            key=f"{kind}:{system}:ZZSECRET{n}:{day}",
            on_date=day,
            first_at=at,
            last_at=at,
            event_count=1,
            record_count=1,
        )


def section_html(start: dt.date, end: dt.date) -> str:
    request = RequestFactory().get("/reports/regulator/")
    return "".join(fn(request, start=start, end=end) or "" for fn in hooks.get_hooks("regulator_report_sections"))


def test_small_cells_and_totals_are_suppressed():
    make_findings(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC, System.CUSTOMER_INFO, dt.date(2026, 10, 3), 7)
    make_findings(Rule.Kind.BURST, System.CUSTOMER_INFO, dt.date(2026, 10, 20), 2)
    stats = monitoring_statistics(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), today=TODAY)
    cells = {(r.rule_label, r.display) for r in stats.rows}
    assert (str(Rule.Kind.RETAIL_VIEWS_NON_PUBLIC.label), "7") in cells
    assert (str(Rule.Kind.BURST.label), "<5") in cells
    assert stats.total == 9
    only_small = monitoring_statistics(start=dt.date(2026, 10, 15), end=dt.date(2026, 11, 30), today=TODAY)
    # 15 October is not a whole month; November has nothing.
    assert (only_small.start, only_small.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert only_small.rows == [] and only_small.total_display == "<5"


def test_the_current_month_and_part_months_are_left_out():
    make_findings(Rule.Kind.SHARED_TERMINAL, System.CUSTOMER_INFO, dt.date(2026, 12, 1), 9)
    stats = monitoring_statistics(start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31), today=TODAY)
    assert stats.end == dt.date(2026, 11, 30) and stats.rows == []


def test_the_section_is_in_the_regulator_report_with_counts_only(make_person, settings):
    person = make_person(email="named@example.jp", family_name="秘密", given_name="氏名", unit_code="HACHINOHE")
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    make_findings(Rule.Kind.SHARED_TERMINAL, System.CUSTOMER_INFO, last_month, 6, person=person, unit=person.unit)
    make_findings(Rule.Kind.ID_AFTER_MOVE, System.GRID_INTRANET, last_month, 1, person=person, unit=person.unit)
    html = section_html(last_month.replace(day=1), last_month)
    assert "monitoring-statistics" in html
    assert ">6<" in html and "&lt;5" in html
    for secret in ("秘密", "named@example.jp", "ZZSECRET", "HACHINOHE", person.unit.name):
        assert secret not in html
