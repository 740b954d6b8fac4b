"""Attestation and transfer-checklist completion on the dashboard, within the viewer's units."""

import datetime as dt

import pytest
import time_machine

from people.models import Transfer, Unit
from reports import selectors
from training import services as training
from training.models import AttestationDocument, TransferChecklist

from .conftest import jst

pytestmark = pytest.mark.django_db


def move(person, to_code: str, on: dt.date) -> TransferChecklist:
    """A transfer as the HR import records it, and the checklist the training service opens for it."""
    to_unit = Unit.objects.get(code=to_code)
    transfer = Transfer.objects.create(person=person, from_unit=person.unit, to_unit=to_unit, effective_on=on)
    type(person).objects.filter(pk=person.pk).update(unit=to_unit)
    return training.checklist_create_for_transfer(transfer=transfer)


def test_checklists_count_confirmed_countersigned_and_overdue_in_scope(world):
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        late = move(world["cc1"], "SENDAI_KITA", dt.date(2026, 6, 1))  # due 15 June, never done
        done = move(world["hachi2"], "SENDAI_KITA", dt.date(2026, 6, 1))
        elsewhere = move(world["sendai"], "CC", dt.date(2026, 6, 1))
        items = [choice for choice, _label in TransferChecklist.Item.choices]
        training.checklist_confirm(checklist=done, person=done.person, items=items)
        training.checklist_countersign(checklist=done, manager=world["manager"])
    assert elsewhere.to_unit.code == "CC"
    sales = Unit.objects.get(code="SALES")
    ids = selectors.UnitTree.load().subtree_ids([sales.path])
    counts = selectors.checklist_completion(unit_ids=ids)
    assert (counts.total, counts.confirmed, counts.countersigned, counts.overdue) == (2, 1, 1, 1)
    assert counts.percent == 50.0
    overdue = list(selectors.overdue_checklists(unit_ids=ids))
    assert [c.pk for c in overdue] == [late.pk]
    # Looking at the end of May, none of them existed yet.
    before = selectors.checklist_completion(unit_ids=ids, until=jst(2026, 5, 31, 23, 59))
    assert before.total == 0


def test_attestation_rate_counts_the_audience_in_scope_and_the_version_in_force(world):
    with time_machine.travel(jst(2026, 5, 1, 9, 0), tick=False):
        document = AttestationDocument.objects.create(title="行動規範", slug="code", audience_everyone=True)
        v1 = training.attestation_publish_version(
            document=document, body="<p>v1</p>", material=True, actor=world["admin"]
        )
        for key in ("hachi1", "east", "cc1"):
            training.attestation_acknowledge(person=world[key], version=v1)
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        v2 = training.attestation_publish_version(
            document=document, body="<p>v2</p>", material=True, actor=world["admin"]
        )
        training.attestation_acknowledge(person=world["east"], version=v2)
        training.attestation_publish_version(document=document, body="<p>v3</p>", material=False, actor=world["admin"])
    sales_ids = selectors.UnitTree.load().subtree_ids([Unit.objects.get(code="SALES").path])
    (row,) = selectors.attestation_completion(unit_ids=sales_ids)
    # Active people in SALES and below: manager, hachi1, hachi2, east, sendai (the leaver is out).
    # v2 was material, so only east's acknowledgement counts; v3 is minor and asks nobody again.
    assert (row.version, row.audience, row.acknowledged) == (3, 5, 1)
    (everyone,) = selectors.attestation_completion(unit_ids=None)
    assert (everyone.audience, everyone.acknowledged) == (8, 1)
