import datetime as dt

import pytest
import time_machine
from django.core import mail

from tests.training.conftest import read_lesson
from training import services
from training.models import Assignment, ReminderLog

from .conftest import jst


@pytest.fixture
def setup(make_module, make_person):
    """One person, one module due 2026-06-30 (assigned 31 May + 30 days)."""
    module = make_module("everyone", everyone=True, due_days=30, lesson_count=1, title="全員向け研修")
    person = make_person(unit_code="HACHINOHE", email="reminded@example.jp")
    with time_machine.travel(jst(2026, 5, 31, 9, 0), tick=False):
        services.assignments_sync()
    assignment = Assignment.objects.get(person=person, module=module)
    assert assignment.due_date == dt.date(2026, 6, 30)
    return assignment


def run_on(day: dt.date, hour: int = 8):
    mail.outbox.clear()
    with time_machine.travel(jst(day.year, day.month, day.day, hour, 0), tick=False):
        services.reminders_send()
    return [m for m in mail.outbox if m.to == ["reminded@example.jp"]]


def test_schedule_14_7_1_days_before_then_weekly_when_overdue(setup):
    sent_on = []
    day = dt.date(2026, 6, 1)
    while day <= dt.date(2026, 7, 31):
        if run_on(day):
            sent_on.append(day)
        day += dt.timedelta(days=1)
    assert sent_on == [
        dt.date(2026, 6, 16),
        dt.date(2026, 6, 23),
        dt.date(2026, 6, 29),
        dt.date(2026, 7, 1),
        dt.date(2026, 7, 8),
        dt.date(2026, 7, 15),
        dt.date(2026, 7, 22),
        dt.date(2026, 7, 29),
    ]


def test_reminder_is_in_japanese_and_names_the_module_and_due_date(setup):
    [message] = run_on(dt.date(2026, 6, 16))
    assert "全員向け研修" in message.body
    assert "2026年6月30日" in message.body
    assert "研修" in message.subject


def test_second_run_the_same_day_sends_nothing(setup):
    assert len(run_on(dt.date(2026, 6, 23), hour=8)) == 1
    assert run_on(dt.date(2026, 6, 23), hour=20) == []
    assert ReminderLog.objects.filter(person=setup.person).count() == 1


def test_one_digest_a_day_however_many_modules_are_due(setup, make_module):
    other = make_module("second", everyone=True, due_days=30, lesson_count=1, title="二つ目の研修")
    with time_machine.travel(jst(2026, 5, 31, 9, 0), tick=False):
        services.assignments_sync(modules=[other])
    [message] = run_on(dt.date(2026, 6, 16))
    assert "全員向け研修" in message.body and "二つ目の研修" in message.body


def test_nothing_after_completion(setup):
    with time_machine.travel(jst(2026, 6, 20, 10, 0), tick=False):
        read_lesson(assignment=setup, lesson_key=setup.module.lesson_keys()[0])
    setup.refresh_from_db()
    assert setup.status == "completed"
    for day in (dt.date(2026, 6, 23), dt.date(2026, 6, 29), dt.date(2026, 7, 1), dt.date(2026, 7, 8)):
        assert run_on(day) == []


def test_manager_digest_covers_only_their_own_units(make_module, make_person, org):
    make_module("everyone", everyone=True, due_days=10, lesson_count=1)
    manager = make_person(unit_code="SALES", email="boss@example.jp")
    org["SALES"].managers.add(manager)
    cc_manager = make_person(unit_code="CC", email="cc-boss@example.jp")
    org["CC"].managers.add(cc_manager)
    in_office = make_person(unit_code="HACHINOHE", family_name="八戸", given_name="花子")
    in_cc = make_person(unit_code="CC", family_name="千田", given_name="次郎")
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        services.assignments_sync()
    mail.outbox.clear()
    monday = jst(2026, 6, 15, 7, 0)  # a Monday, after the due date of 11 June
    with time_machine.travel(monday, tick=False):
        services.reminders_send()
        services.reminders_send()
    to_boss = [m for m in mail.outbox if m.to == ["boss@example.jp"] and "部署" in m.subject]
    assert len(to_boss) == 1
    assert in_office.get_full_name() in to_boss[0].body
    assert in_cc.get_full_name() not in to_boss[0].body
    to_cc = [m for m in mail.outbox if m.to == ["cc-boss@example.jp"] and "部署" in m.subject]
    assert len(to_cc) == 1 and in_office.get_full_name() not in to_cc[0].body
    mail.outbox.clear()
    with time_machine.travel(jst(2026, 6, 16, 7, 0), tick=False):  # Tuesday: no manager digest
        services.reminders_send()
    assert not [m for m in mail.outbox if "部署" in m.subject]


def test_unpublished_module_sends_no_reminders(setup):
    setup.module.unpublish()
    assert run_on(dt.date(2026, 6, 16)) == []
