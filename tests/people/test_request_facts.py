"""The person of each request is read with their groups, job roles, employment type, unit-manager
status and whether they moved from the grid company in a fixed three queries through the ORM
(people/queries.py), and read live: a change shows on the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.backends import PersonBackend
from people.models import Unit

pytestmark = pytest.mark.django_db


def test_three_queries_bring_the_facts_every_page_reads(make_person):
    person = make_person(groups=("compliance_editors", "enquiry_responders"), roles=("SALES", "CALL_CENTRE"))
    with CaptureQueriesContext(connection) as ctx:
        loaded = PersonBackend().get_user(person.pk)
        facts = (
            loaded.role_names,
            loaded.job_role_codes,
            loaded.manages_a_unit,
            loaded.employment_type_code,
            loaded.moved_from_grid,
        )
    assert len(ctx.captured_queries) == 3  # the person, their groups, their job roles
    assert not any("STRING_AGG" in q["sql"] or "GROUP_CONCAT" in q["sql"] for q in ctx.captured_queries)
    assert facts == (
        frozenset({"compliance_editors", "enquiry_responders"}),
        frozenset({"SALES", "CALL_CENTRE"}),
        False,
        "REGULAR",
        False,
    )


def test_a_person_without_groups_or_roles_has_empty_facts(make_person):
    loaded = PersonBackend().get_user(make_person(roles=()).pk)
    assert loaded.role_names == frozenset()
    assert loaded.job_role_codes == frozenset()


def test_changes_show_on_the_next_load(make_person):
    person = make_person()
    assert not PersonBackend().get_user(person.pk).in_group("designated_handlers")
    from django.contrib.auth.models import Group

    person.groups.add(Group.objects.get_or_create(name="designated_handlers")[0])
    Unit.objects.get(code="HACHINOHE").managers.add(person)
    reloaded = PersonBackend().get_user(person.pk)
    assert reloaded.in_group("designated_handlers")
    assert reloaded.manages_a_unit


def test_the_facts_agree_with_a_plainly_loaded_person(make_person):
    from people.models import Person

    person = make_person(groups=("managers",), roles=("MANAGER",))
    Unit.objects.get(code="HACHINOHE").managers.add(person)
    plain = Person.objects.get(pk=person.pk)
    loaded = PersonBackend().get_user(person.pk)
    facts = ("role_names", "job_role_codes", "employment_type_code", "manages_a_unit", "moved_from_grid")
    assert [getattr(loaded, fact) for fact in facts] == [getattr(plain, fact) for fact in facts]


def test_inactive_people_are_not_loaded(make_person):
    person = make_person(is_active=False)
    assert PersonBackend().get_user(person.pk) is None
