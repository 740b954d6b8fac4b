import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEntry
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(make_person):
    actor = make_person()
    return [
        audit_record(
            actor=actor, action="enquiry.viewed", target_type="enquiries.enquiry", target_id=i, detail={"n": i}
        )
        for i in range(1, 6)
    ]


def test_entries_are_chained(entries):
    assert entries[0].prev_hash == "0" * 64
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    assert list(audit_verify_chain()) == []


def test_verify_command_reports_an_intact_chain(entries):
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact: 5 entries" in out.getvalue()


def test_the_orm_refuses_changes(entries):
    entry = entries[0]
    entry.action = "nothing.happened"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_update_and_delete(entries):
    table = AuditEntry._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'forged' WHERE seq = 2", f"DELETE FROM {table} WHERE seq = 2"):  # noqa: S608 - model's table
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(seq=2).action == "enquiry.viewed"


def test_tampering_with_stored_content_is_detected(entries):
    """Someone with raw database access who disables the trigger still cannot hide an edit."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        else:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(f"UPDATE {table} SET detail = '{{\"n\": 99}}' WHERE seq = 3")  # noqa: S608 - the model's table, forged on purpose
    breaks = list(audit_verify_chain())
    assert [(b.seq, b.reason) for b in breaks] == [(3, "content does not match its hash")]
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit_log", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_actor_is_recorded_by_id_and_address(entries):
    entry = AuditEntry.objects.get(seq=1)
    assert entry.actor_id is not None
    assert entry.actor_label.endswith("@example.jp")
