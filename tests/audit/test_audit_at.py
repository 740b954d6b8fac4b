"""An entry may carry the time of the event it records (a loader writing history): the chain still holds."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from audit.checkpoints import read_checkpoints, verify_against_checkpoints, write_checkpoint
from audit.models import AuditEntry
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))


def test_an_entry_keeps_the_time_it_is_given_and_the_chain_verifies_after_reading_it_back(make_person):
    actor = make_person()
    first = audit_record(actor=actor, action="test.now")
    past = dt.datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=JST)
    # Appended after `first` but dated before it: the chain's order is seq, not time.
    second = audit_record(actor=actor, action="test.past", detail={"n": 1}, at=past)
    third = audit_record(actor=actor, action="test.now")
    assert second.seq == first.seq + 1 and third.seq == second.seq + 1
    stored = AuditEntry.objects.get(pk=second.pk)
    assert stored.at == past and stored.at < first.at
    # As read back from the database (in UTC), the hash still matches what was written.
    assert stored.compute_hash() == stored.hash == second.hash
    assert list(audit_verify_chain()) == []
    assert write_checkpoint() is not None
    checkpoints, bad = read_checkpoints()
    assert not bad and list(verify_against_checkpoints(checkpoints)) == []
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact: 3 entries" in out.getvalue()


def test_without_a_time_the_entry_is_dated_now(make_person):
    before = dt.datetime.now(dt.UTC)
    entry = audit_record(actor=make_person(), action="test.now")
    assert before <= AuditEntry.objects.get(pk=entry.pk).at <= dt.datetime.now(dt.UTC)


def test_a_naive_time_is_refused_and_nothing_is_appended(make_person):
    with pytest.raises(ValueError, match="timezone-aware"):
        audit_record(actor=make_person(), action="test.naive", at=dt.datetime(2026, 4, 1, 9, 0))  # noqa: DTZ001
    assert not AuditEntry.objects.exists()
