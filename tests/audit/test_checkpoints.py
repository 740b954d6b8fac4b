"""Issue 14 item 12: the audit chain's head is anchored outside the database.

Someone with write access to the database drops the append-only triggers, edits an entry and
recomputes every later hash and the chain head: the chain alone verifies again, but it no longer
matches the checkpoint signed before, so `verify_audit_log` fails.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from nacl.signing import SigningKey

from audit.checkpoints import read_checkpoints, write_checkpoint
from audit.models import AuditEntry, ChainHead
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(make_person):
    actor = make_person()
    return [
        audit_record(actor=actor, action="case.viewed", target_type="whistleblowing.case", target_id=i, detail={"n": i})
        for i in range(1, 6)
    ]


def _rewrite_chain(*, seq: int, detail: dict) -> None:
    """What an attacker with the database does: edit one entry and recompute every hash after it."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        else:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        prev = None
        for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
            if entry.seq == seq:
                entry.detail = detail
            if prev is not None:
                entry.prev_hash = prev
            entry.hash = entry.compute_hash()
            cursor.execute(
                f"UPDATE {table} SET detail = %s, prev_hash = %s, hash = %s WHERE seq = %s",  # noqa: S608 - the model's table, forged on purpose
                [json.dumps(entry.detail), entry.prev_hash, entry.hash, entry.seq],
            )
            prev = entry.hash
        cursor.execute(f"UPDATE {ChainHead._meta.db_table} SET last_hash = %s", [prev])  # noqa: S608


def test_a_rewritten_chain_fails_against_the_checkpoint(entries):
    call_command("audit_checkpoint", stdout=io.StringIO())
    _rewrite_chain(seq=2, detail={"n": 99})
    # The chain alone cannot tell: every hash adds up again.
    assert list(audit_verify_chain()) == []
    err = io.StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_log", stdout=io.StringIO(), stderr=err)
    assert "chain rewritten" in err.getvalue()


def test_the_checkpoint_job_refuses_to_sign_over_a_rewrite(entries):
    write_checkpoint()
    audit_record(actor=None, action="case.viewed", target_type="whistleblowing.case", target_id=9)
    _rewrite_chain(seq=3, detail={"n": 42})
    with pytest.raises(CommandError, match="does not match the last checkpoint"):
        call_command("audit_checkpoint", stdout=io.StringIO())
    assert [c.seq for c in read_checkpoints()[0]] == [5]


def test_an_intact_chain_verifies_against_its_checkpoints(entries):
    first = write_checkpoint()
    assert write_checkpoint() is None  # nothing new, nothing written
    audit_record(actor=None, action="case.viewed", target_type="whistleblowing.case", target_id=6)
    second = write_checkpoint()
    assert (first.seq, second.seq) == (5, 6)
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact: 6 entries" in out.getvalue()
    assert "2 signed checkpoint(s), the latest at #6" in out.getvalue()


def test_a_checkpoint_signed_with_another_key_is_refused(entries, checkpoint_dir):
    checkpoint = write_checkpoint()
    document = json.loads(checkpoint.path.read_text())
    payload = json.dumps(
        {"seq": document["seq"], "hash": document["hash"], "at": document["at"]}, sort_keys=True, separators=(",", ":")
    ).encode()
    forged = checkpoint_dir / "999999999999-forged.json"
    forged.write_text(json.dumps({**document, "signature": SigningKey.generate().sign(payload).signature.hex()}))
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit_log", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_signing_key_is_not_in_the_database(entries, settings, tmp_path):
    key = SigningKey.generate()
    key_file = tmp_path / "signing.key"
    key_file.write_bytes(key.encode().hex().encode())
    settings.AUDIT_CHECKPOINT_SIGNING_KEY_FILE = str(key_file)
    settings.AUDIT_CHECKPOINT_VERIFY_KEY = key.verify_key.encode().hex()
    checkpoint = write_checkpoint()
    signature = json.loads(checkpoint.path.read_text())["signature"]
    key.verify_key.verify(
        json.dumps(
            {"seq": 5, "hash": checkpoint.hash, "at": checkpoint.at}, sort_keys=True, separators=(",", ":")
        ).encode(),
        bytes.fromhex(signature),
    )
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - every table of the test database
            for row in cursor.fetchall():
                assert key.encode().hex() not in repr(row)


def test_where_keys_are_not_generated_a_missing_signing_key_stops_the_checkpoint(settings, entries, checkpoint_dir):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_CHECKPOINT_GENERATE_KEY = False  # as in production
    with pytest.raises(ImproperlyConfigured):
        write_checkpoint()
    assert not checkpoint_dir.exists() or not any(checkpoint_dir.iterdir())
