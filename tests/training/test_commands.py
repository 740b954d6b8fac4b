import io

import time_machine
from django.core import mail
from django.core.management import call_command

from training import tasks
from training.models import Assignment

from .conftest import jst


def test_cron_commands_sync_and_remind_once_a_day(make_module, make_person):
    make_module("everyone", everyone=True, due_days=14, lesson_count=1)
    person = make_person()
    out = io.StringIO()
    with time_machine.travel(jst(2026, 6, 1, 6, 0), tick=False):
        call_command("sync_training_assignments", stdout=out)
        call_command("send_training_reminders", stdout=out)  # due 15 June: 14 days ahead
        call_command("send_training_reminders", stdout=out)
    assert Assignment.objects.filter(person=person).count() == 1
    assert out.getvalue().splitlines() == [
        "created=1 archived=0 restored=0",
        "people=1 managers=0",
        "people=0 managers=0",
    ]
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_fiscal_year_task_opens_the_new_cycle(make_module, make_person):
    make_module("annual", everyone=True)
    person = make_person()
    with time_machine.travel(jst(2027, 3, 31, 12, 0), tick=False):
        tasks.start_fiscal_year.enqueue()
    with time_machine.travel(jst(2027, 4, 1, 0, 10), tick=False):
        result = tasks.start_fiscal_year.enqueue()
    assert result.return_value == {"created": 1, "archived": 1, "restored": 0}
    assert set(Assignment.objects.filter(person=person).values_list("cycle", flat=True)) == {"FY2026", "FY2027"}
