"""The "people transferred from the grid company" audience of a rule's department sections.

Editors can write a section for transferees (the demo's transfer rule has one); it is theirs, and
shown first as "What this means for you", for everyone with a transfer from a grid-company unit
to another company's unit, and for nobody else.
"""

import datetime as dt

import pytest
from django.test import Client

from people.models import Company, Person, Transfer, Unit
from people.queries import person_for_request
from portal.blocks import Audience
from tests.factories import people as pf

pytestmark = pytest.mark.django_db

TRANSFEREE_HEADING = "NWから異動してきた皆さんへ"


def grid_unit() -> Unit:
    grid = Company.objects.get_or_create(
        code="TEST-GRID", defaults={"name": "送配電テスト株式会社", "kind": Company.Kind.GRID}
    )[0]
    return pf.unit("TEST-GRID-OPS", "系統運用", in_company=grid)


def transfer(person: Person, *, from_unit: Unit) -> Transfer:
    return Transfer.objects.create(
        person=person, from_unit=from_unit, to_unit=person.unit, effective_on=dt.date(2024, 4, 1)
    )


def for_you(html: str) -> str:
    start = html.find('id="for-you-heading"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def test_only_a_move_from_a_grid_company_unit_makes_a_transferee(demo):
    moved = Person.objects.get(email="sales@example.jp")
    within = Person.objects.get(email="cc@example.jp")
    stayed = Person.objects.get(email="temp@example.jp")
    transfer(moved, from_unit=grid_unit())
    # A move between two of the retailer's own units is a transfer, but not from the grid company.
    other_retail_unit = Unit.objects.exclude(pk=within.unit_id).exclude(company__kind=Company.Kind.GRID).first()
    transfer(within, from_unit=other_retail_unit)

    assert Audience.TRANSFEREE in Audience.of(moved)
    assert Audience.TRANSFEREE not in Audience.of(within)
    assert Audience.TRANSFEREE not in Audience.of(stayed)
    # The person of a request has the fact loaded with them: the same answer, without a query.
    loaded = person_for_request(moved.pk)
    assert loaded.transferred_from_grid is True
    assert Audience.TRANSFEREE in Audience.of(loaded)
    assert person_for_request(within.pk).transferred_from_grid is False


def test_the_transferee_section_of_a_rule_is_shown_first_to_transferees_only(demo):
    moved = Person.objects.get(email="sales@example.jp")
    stayed = Person.objects.get(email="cc@example.jp")
    transfer(moved, from_unit=grid_unit())

    pages = {}
    for person in (moved, stayed):
        client = Client()
        client.force_login(person)
        response = client.get("/rules/transfers/")
        assert response.status_code == 200
        pages[person.email] = response.content.decode()

    assert TRANSFEREE_HEADING in for_you(pages[moved.email])
    assert TRANSFEREE_HEADING not in for_you(pages[stayed.email])
    # Everyone still reads the section, in the body, where it stands.
    assert TRANSFEREE_HEADING in pages[stayed.email]
