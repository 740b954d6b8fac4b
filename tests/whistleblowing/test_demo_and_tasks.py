import io
from pathlib import Path

import pytest
from django.test import Client

from people.models import Person
from people.roles import COMPLIANCE_EDITORS, DESIGNATED_HANDLERS
from whistleblowing import demo, tasks
from whistleblowing.models import HandlerDesignation, HandlerKey


def test_without_a_second_person_to_approve_the_demo_designates_nobody(make_person):
    """The demo goes through the two-person rule like anyone: with nobody in the compliance
    department to approve, nothing is in force and the intake stays closed."""
    make_person(email="compliance@example.jp", groups=(COMPLIANCE_EDITORS,))
    handler = make_person(email="handler@example.jp")
    out = io.StringIO()
    demo.load(out)
    assert "nobody in the compliance department" in out.getvalue()
    assert not HandlerDesignation.objects.filter(approved_at__isnull=False).exists()
    assert not handler.groups.filter(name=DESIGNATED_HANDLERS).exists()
    assert not HandlerKey.objects.exists()
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


def test_production_settings_refuse_to_run_the_demo(settings, db):
    """The demo creates accounts with a published password and a hotline key under a published
    passphrase: under production settings (PORTAL_DEMO_ALLOWED = False) it must not run."""
    from django.core.management import CommandError, call_command

    settings.PORTAL_DEMO_ALLOWED = False
    for args in ((), ("--print-logins",)):
        with pytest.raises(CommandError):
            call_command("demo", *args, stdout=io.StringIO())
    assert not HandlerDesignation.objects.exists() and not Person.objects.exists()


def test_the_production_settings_module_forbids_the_demo():
    source = (Path(__file__).resolve().parents[2] / "portal" / "settings" / "production.py").read_text()
    assert "PORTAL_DEMO_ALLOWED = False" in source
