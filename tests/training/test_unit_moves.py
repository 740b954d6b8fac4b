"""A unit moved to another parent takes its people into the audiences of its new place at once.

treebeard rewrites the moved subtree's paths in one UPDATE, with no `post_save` for the units in
it; `people.services.unit_move` sends `unit_moved`, which renews what holds unit paths.
"""

import datetime as dt

import pytest

from people.models import Person, Transfer, Unit
from people.services import unit_move
from training import selectors, services
from training.models import AttestationDocument, TransferChecklist

from .test_assignments import assigned


def reread(person: Person) -> Person:
    # As the next request would: the person's unit with its path as it is now.
    return Person.objects.select_related("unit").get(pk=person.pk)


def pending(person) -> list[str]:
    return [p.document.slug for p in selectors.attestations_pending(person=reread(person))]


@pytest.fixture
def trainer(org, make_person):
    from people.roles import TRAINING_ADMINISTRATORS

    return make_person(unit_code="CC", groups=(TRAINING_ADMINISTRATORS,))


def test_cached_attestation_audience_follows_the_unit_it_names_when_its_division_moves(org, make_person, trainer):
    document = AttestationDocument.objects.create(title="八戸の掲示ルール", slug="hachinohe-notices")
    document.audience_units.add(org["HACHINOHE"])
    services.attestation_publish_version(document=document, body="<p>掲示</p>", material=True, actor=trainer)
    office = make_person(unit_code="HACHINOHE")
    other = make_person(unit_code="SENDAI_KITA")
    assert pending(office) == ["hachinohe-notices"]  # the catalogue now holds HACHINOHE's path

    unit_move(unit=org["SALES"], parent=org["CC"], actor=None)

    assert Unit.objects.get(code="HACHINOHE").path != org["HACHINOHE"].path
    assert pending(office) == ["hachinohe-notices"]
    assert pending(other) == []


def test_people_of_a_unit_moved_into_a_module_audience_are_assigned_it(make_module, make_person, org):
    make_module("cc-rules", units=("CC",))
    office = make_person(unit_code="HACHINOHE")
    services.assignments_sync()
    assert assigned(office) == set()

    unit_move(unit=org["HACHINOHE"], parent=org["CC"], actor=None)

    assert assigned(office) == {"cc-rules"}


def test_a_manager_of_the_new_parent_may_countersign_a_transfer_into_the_moved_unit(org, make_person):
    cc_boss = make_person(unit_code="CC")
    org["CC"].managers.add(cc_boss)
    mover = make_person(unit_code="SALES")
    transfer = Transfer.objects.create(
        person=mover, from_unit=org["SALES"], to_unit=org["HACHINOHE"], effective_on=dt.date(2026, 6, 1)
    )
    checklist = services.checklist_create_for_transfer(transfer=transfer)
    assert not selectors.can_countersign(checklist=checklist, person=cc_boss)

    unit_move(unit=org["HACHINOHE"], parent=org["CC"], actor=None)

    checklist = TransferChecklist.objects.select_related("to_unit", "person").get(pk=checklist.pk)
    assert selectors.can_countersign(checklist=checklist, person=cc_boss)
