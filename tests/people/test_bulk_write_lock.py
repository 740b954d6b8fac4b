"""The HR import and the assignment sync take turns (people/locks.py): while one holds the lock for
its transaction, the other waits, so the tally triggers' person locks cannot deadlock them (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections, transaction

from people.hr_import import hr_import_run
from people.locks import people_bulk_writes
from people.models import Person
from tests.people.test_hr_import import ROWS, csv_bytes, reference_data  # noqa: F401 - a fixture
from training.services import assignments_sync

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="an advisory lock of PostgreSQL"),
]


def waits_for_the_lock(writer) -> None:
    """`writer` runs in its own connection while another transaction holds the lock: it must wait
    for that transaction to end, then finish."""
    holding, release, done, failed = threading.Event(), threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                people_bulk_writes()
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def write():
        try:
            writer()
            done.set()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failed.append(error)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=10)
    other = threading.Thread(target=write)
    other.start()
    try:
        assert not done.wait(timeout=1.0), "the writer did not wait for the other's turn"
    finally:
        release.set()
        holder.join(timeout=30)
    other.join(timeout=30)
    assert failed == [] and done.is_set()


def test_the_assignment_sync_waits_for_the_hr_import_turn():
    waits_for_the_lock(assignments_sync)


def test_the_hr_import_waits_for_the_sync_turn():
    waits_for_the_lock(lambda: hr_import_run(raw=csv_bytes(ROWS)))
    assert Person.objects.filter(employee_number__in=["A001", "A005"]).count() == 2


def test_the_lock_is_for_a_transaction_only():
    with pytest.raises(RuntimeError, match="inside one"):
        people_bulk_writes()
