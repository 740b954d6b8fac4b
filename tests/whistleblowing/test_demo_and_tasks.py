import io

from django.test import Client

from people.roles import DESIGNATED_HANDLERS
from whistleblowing import demo, tasks
from whistleblowing.models import HandlerDesignation, HandlerKey


def test_demo_designates_the_handler_once_and_sets_no_key(make_person):
    make_person(email="compliance@example.jp")
    handler = make_person(email="handler@example.jp")
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    designation = HandlerDesignation.objects.get(person=handler)
    assert designation.revoked_at is None and designation.designated_by.email == "compliance@example.jp"
    assert handler.groups.filter(name=DESIGNATED_HANDLERS).exists()
    assert not HandlerKey.objects.exists()
    # Until the handler sets up a key, the intake refuses reports.
    assert Client().get("/hotline/").status_code == 503


def test_tasks_run_the_reminders_and_the_purge(handler, mailoutbox):
    assert tasks.send_deadline_reminders.enqueue().return_value == 0
    assert tasks.purge_expired_cases.enqueue().return_value == 0
    assert tasks.notify_handlers.enqueue(handler_ids=[handler.pk], kind="new_case").return_value == 1
    assert mailoutbox[0].to == [handler.email]


def test_compliance_editors_see_the_register_in_the_admin(compliance, handler):
    client = Client()
    client.force_login(compliance)
    response = client.get("/admin/hotline_handlers/")
    assert response.status_code == 200
    assert handler.email in response.content.decode() or str(handler) in response.content.decode()
