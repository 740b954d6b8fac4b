"""The home panel and My training are cached per person, and every write that changes them shows at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.roles import TRAINING_ADMINISTRATORS
from tests.factories import people as pf
from training import selectors, services
from training.models import Assignment, AttestationDocument

from .conftest import jst, read_lesson


@pytest.fixture
def modules(make_module):
    return {
        "everyone": make_module("everyone", everyone=True, title="全員向けの基礎"),
        "cc": make_module("cc", units=("CC",), title="コールセンターの実務"),
    }


@pytest.fixture
def trainer(make_person):
    admin = make_person(groups=(TRAINING_ADMINISTRATORS,))
    pf.enrol_totp(admin)
    return admin


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def my_training(client) -> str:
    response = client.get("/training/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_cached_panel_reads_nothing_from_the_database(client, modules, make_person, monkeypatch):
    person = make_person(unit_code="CC")
    services.assignments_sync()
    client.force_login(person)
    assert "コールセンターの実務" in home(client) and "コールセンターの実務" in my_training(client)

    def refuse(**kwargs):
        raise AssertionError("read again although nothing changed")

    for name in ("open_assignments", "my_assignments", "attestations_pending", "open_checklists"):
        monkeypatch.setattr(selectors, name, refuse)
    with CaptureQueriesContext(connection) as queries:
        assert "コールセンターの実務" in home(client)
    assert not any("training_assignment" in q["sql"] for q in queries.captured_queries)
    assert "コールセンターの実務" in my_training(client)


def test_the_panels_follow_each_write_that_changes_them(client, modules, make_person, make_module, trainer):
    import time_machine

    person = make_person(unit_code="CC")
    with time_machine.travel(jst(2026, 6, 1, 10, 0), tick=False):
        services.assignments_sync()
        client.force_login(person)
        assert "全員向けの基礎" in home(client) and "コールセンターの実務" in home(client)
        assert "tag-bad" not in home(client)

        # Completing a module (lesson progress, the assignment, its certificate: one person's rows).
        everyone = Assignment.objects.get(person=person, module=modules["everyone"])
        for key in modules["everyone"].lesson_keys():
            read_lesson(assignment=everyone, lesson_key=key)
        assert "全員向けの基礎" not in home(client)
        certificate = Assignment.objects.get(pk=everyone.pk).certificate
        assert certificate.code in my_training(client)

        # A new module reaches everyone through the sync's bulk insert, which sends no signal.
        make_module("new", everyone=True, title="新しい研修")
        assert "新しい研修" not in home(client) and "新しい研修" not in my_training(client)  # not yet assigned
        services.assignments_sync()
        assert "新しい研修" in home(client) and "新しい研修" in my_training(client)

        # A retitled module (the published-pages generation).
        page = modules["cc"]
        page.title = "コールセンターの実務（改訂）"
        page.save_revision().publish()
        assert "コールセンターの実務（改訂）" in home(client)

        # An attestation published to everyone, then acknowledged.
        document = AttestationDocument.objects.create(title="行動規範", slug="code", audience_everyone=True)
        version = services.attestation_publish_version(
            document=document, body="<p>第1版</p>", material=True, actor=trainer
        )
        assert "行動規範" in home(client) and "行動規範" in my_training(client)
        services.attestation_acknowledge(person=person, version=version)
        assert "行動規範" not in home(client) and "行動規範" not in my_training(client)

    # Thirty days on, the open assignment is overdue: the date is part of the key.
    with time_machine.travel(jst(2026, 7, 2, 10, 0), tick=False):
        client.force_login(person)  # the session of a month ago has expired
        assert "tag-bad" in home(client)


def test_each_reader_and_each_language_has_its_own_panel(client, modules, make_person):
    cc = make_person(unit_code="CC")
    sales = make_person(unit_code="HACHINOHE")
    services.assignments_sync()
    client.force_login(cc)
    assert "コールセンターの実務" in home(client)
    client.force_login(sales)
    assert "コールセンターの実務" not in home(client) and "全員向けの基礎" in home(client)
    japanese = home(client)
    client.cookies["django_language"] = "en"
    english = home(client)
    assert "Your training to do" in english and "Your training to do" not in japanese


def test_a_transfer_checklist_reaches_the_manager_who_countersigns_it(client, modules, make_person, org):
    from people.models import Transfer, Unit

    manager = make_person(unit_code="CC")
    person = make_person(unit_code="HACHINOHE", manager=manager)
    client.force_login(manager)
    home(client)  # cached before the transfer
    transfer = Transfer.objects.create(
        person=person,
        from_unit=Unit.objects.get(code="HACHINOHE"),
        to_unit=Unit.objects.get(code="CC"),
        effective_on=dt.date(2026, 6, 1),
    )
    services.checklist_create_for_transfer(transfer=transfer)
    assert str(person) in home(client)
