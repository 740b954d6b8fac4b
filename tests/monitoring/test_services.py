"""The auditors' work on findings: status, notes, remedial training; auditors only, every change audited."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from monitoring import services
from monitoring.importing import log_import_run
from monitoring.models import AccessEvent, Finding, FindingNote, SystemAccount
from monitoring.register import register_upsert
from people import roles
from tests.factories import monitoring as mf
from tests.factories import people as pf
from tests.training.conftest import make_module, org, training_index  # noqa: F401 (fixtures)
from training.models import Assignment
from training.services import assignment_assign_remedial

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db):
    return pf.person(unit_code="AUDIT", groups=(roles.COMPLIANCE_AUDITORS,))


@pytest.fixture
def superuser(db):
    """Everything but the role: the superuser flag and every permission."""
    boss = pf.person(unit_code="AUDIT", is_superuser=True, is_staff=True)
    boss.user_permissions.set(Permission.objects.all())
    return boss


@pytest.fixture
def finding(db):
    """A retail seller's view of a non-public record, found by the importer's rule run."""
    seller = pf.person(unit_code="HACHINOHE")
    register_upsert(system="customer_info", account_id="R001", person=seller, origin=SystemAccount.Origin.HR)
    log_import_run(
        source=mf.source(non_public=("契約情報",)),
        filename="a.csv",
        content=mf.log_file([("R001", "2022-06-01 10:00:00", "HC-01", "契約情報", "1001", "1")]),
    )
    return Finding.objects.get()


def test_an_auditor_takes_a_finding_on_and_the_change_is_audited(finding, auditor):
    updated = services.finding_update(
        finding=finding, by=auditor, status=Finding.Status.INVESTIGATING, assignee=auditor
    )
    assert (updated.status, updated.assignee) == (Finding.Status.INVESTIGATING, auditor)
    entry = AuditEntry.objects.get(action="monitoring.finding_updated")
    assert entry.actor == auditor
    assert entry.target_id == str(finding.pk)
    assert entry.detail["status"] == {"from": "open", "to": "investigating"}


def test_closing_needs_an_outcome(finding, auditor):
    with pytest.raises(ValidationError):
        services.finding_update(finding=finding, by=auditor, status=Finding.Status.CLOSED)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    closed = services.finding_update(
        finding=finding, by=auditor, status=Finding.Status.CLOSED, outcome=Finding.Outcome.FALSE_POSITIVE
    )
    assert closed.closed_at is not None
    reopened = services.finding_update(finding=finding, by=auditor, status=Finding.Status.INVESTIGATING)
    assert reopened.closed_at is None


def test_only_an_auditor_can_be_assigned(finding, auditor):
    with pytest.raises(ValidationError):
        services.finding_update(finding=finding, by=auditor, assignee=pf.person())


def test_an_unchanged_finding_writes_no_audit_entry(finding, auditor):
    services.finding_update(finding=finding, by=auditor, status=Finding.Status.OPEN)
    assert not AuditEntry.objects.filter(action="monitoring.finding_updated").exists()


def test_notes_are_kept_and_audited(finding, auditor):
    with pytest.raises(ValidationError):
        services.finding_note_add(finding=finding, by=auditor, text="  ")
    note = services.finding_note_add(finding=finding, by=auditor, text="本人に確認。共用端末からの閲覧。")
    assert list(finding.notes.all()) == [note]
    assert AuditEntry.objects.filter(action="monitoring.finding_note_added", actor=auditor).count() == 1


def test_a_superuser_with_every_permission_is_refused_by_every_service(
    finding,
    superuser,
    make_module,  # noqa: F811
):
    module = make_module("unbundling", everyone=False)
    calls = [
        lambda: services.finding_update(finding=finding, by=superuser, status=Finding.Status.INVESTIGATING),
        lambda: services.finding_note_add(finding=finding, by=superuser, text="見た"),
        lambda: services.finding_assign_training(finding=finding, by=superuser, module=module),
        lambda: services.log_import_upload(source=mf.source(), filename="b.csv", content=b"x", by=superuser),
        lambda: register_upsert(system="customer_info", account_id="Z1", person=None, by=superuser),
        lambda: assignment_assign_remedial(person=finding.person, module=module, actor=superuser, reason="x"),
    ]
    for call in calls:
        with pytest.raises(PermissionError):
            call()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    assert not FindingNote.objects.exists()
    assert not Assignment.objects.exists()
    assert not SystemAccount.objects.filter(account_id="Z1").exists()


def test_assigning_training_to_the_person_creates_an_assignment(finding, auditor, make_module):  # noqa: F811
    module = make_module("unbundling")
    [assignment] = services.finding_assign_training(finding=finding, by=auditor, module=module, scope="person")
    assert (assignment.person, assignment.module_id, assignment.source) == (finding.person, module.pk, "manual")
    assert Assignment.objects.filter(person=finding.person, module=module).count() == 1
    training_entry = AuditEntry.objects.get(action="training.assigned")
    assert training_entry.actor == auditor
    assert finding.key in training_entry.detail["reason"]
    entry = AuditEntry.objects.get(action="monitoring.finding_training_assigned")
    assert entry.detail["assignments"] == [assignment.pk]
    # Assigned once: the same module again for the same person is refused.
    with pytest.raises(ValidationError):
        services.finding_assign_training(finding=finding, by=auditor, module=module, scope="person")


def test_assigning_training_to_the_unit_reaches_its_active_people(finding, auditor, make_module):  # noqa: F811
    module = make_module("unbundling")
    colleague = pf.person(unit_code="HACHINOHE")
    leaver = pf.person(unit_code="HACHINOHE", is_active=False)
    elsewhere = pf.person(unit_code="SENDAI")
    created = services.finding_assign_training(finding=finding, by=auditor, module=module, scope="unit")
    assert {a.person for a in created} == {finding.person, colleague}
    assert not Assignment.objects.filter(person__in=[leaver, elsewhere]).exists()
    # Again: everyone has it already, nobody is assigned twice.
    assert services.finding_assign_training(finding=finding, by=auditor, module=module, scope="unit") == []


def test_a_training_administrator_may_assign_remedial_training_too(finding, make_module):  # noqa: F811
    admin = pf.person(groups=(roles.TRAINING_ADMINISTRATORS,))
    module = make_module("unbundling")
    assignment = assignment_assign_remedial(person=finding.person, module=module, actor=admin, reason="所見")
    assert assignment.person == finding.person
    with pytest.raises(ValidationError):
        assignment_assign_remedial(person=pf.person(), module=module, actor=admin, reason=" ")


def test_raw_rows_older_than_the_retention_period_are_purged_and_findings_kept(finding, settings):
    recent = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    log_import_run(
        source=mf.source(),
        filename="recent.csv",
        content=mf.log_file([("R001", recent, "HC-01", "お知らせ", "2001", "0")]),
    )
    settings.MONITORING_EVENT_RETENTION_DAYS = 30
    out = io.StringIO()
    call_command("purge_access_events", stdout=out)
    assert "deleted 1 " in out.getvalue()
    assert list(AccessEvent.objects.values_list("record_type", flat=True)) == ["お知らせ"]
    finding.refresh_from_db()
    assert finding.event_count == 1  # the finding keeps its figures
    assert AuditEntry.objects.get(action="monitoring.events_purged").detail["deleted"] == 1
    with pytest.raises(PermissionError):
        services.events_purge(days=30, by=pf.person(is_superuser=True))


def test_only_an_auditor_switches_a_rule_and_the_change_is_audited(auditor):
    from monitoring.models import Rule

    rule = Rule.objects.get(kind=Rule.Kind.BURST)
    superuser = pf.person(is_superuser=True, is_staff=True)
    superuser.user_permissions.set(Permission.objects.all())
    with pytest.raises(PermissionError):
        services.rule_update(rule=rule, by=superuser, enabled=False, params={})
    rule.refresh_from_db()
    assert rule.enabled and rule.params == {"records": 100, "minutes": 60}

    services.rule_update(rule=rule, by=auditor, enabled=False, params={"records": 50, "minutes": 30})
    rule.refresh_from_db()
    assert (rule.enabled, rule.params) == (False, {"records": 50, "minutes": 30})
    entry = AuditEntry.objects.get(action="monitoring.rule_changed")
    assert entry.actor == auditor
    assert entry.detail["before"] == {"enabled": True, "params": {"records": 100, "minutes": 60}}
