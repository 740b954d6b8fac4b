"""The dashboard's expensive aggregates are cached, and dropped as soon as something they count changes."""

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Person
from people.signals import people_synchronised
from reports import caching, selectors
from tests.factories import people as pf
from training import services as training
from training import tasks as training_tasks
from training.models import Assignment

pytestmark = pytest.mark.django_db


def figures(world) -> selectors.Counts:
    return selectors.dashboard(viewer=selectors.viewer_for(world["admin"]), cycle="FY2026").total


def queries_for_dashboard(world) -> int:
    with CaptureQueriesContext(connection) as ctx:
        figures(world)
    return len(ctx.captured_queries)


def test_a_second_reader_gets_the_cached_figures_without_the_group_bys(world):
    first = queries_for_dashboard(world)
    assert queries_for_dashboard(world) == first - 2  # the main GROUP BY and the role GROUP BY


def test_an_exemption_shows_on_the_next_dashboard(world):
    before = figures(world)
    open_one = Assignment.objects.filter(cycle="FY2026", status=Assignment.Status.ASSIGNED, person__is_active=True)
    training.assignment_exempt(assignment=open_one.first(), actor=world["admin"], reason="産休")
    after = figures(world)
    assert (after.exempted, after.assigned) == (before.exempted + 1, before.assigned - 1)


def test_a_login_keeps_the_cached_figures(world, rf):
    figures(world)
    version = caching.figures_version()
    user_logged_in.send(sender=Person, request=rf.get("/"), user=world["cc1"])  # saves last_login
    assert caching.figures_version() == version


def test_a_bulk_change_signalled_by_the_hr_import_shows_on_the_next_dashboard(world):
    before = figures(world)
    leaving = world["cc2"]
    counted = Assignment.objects.filter(person=leaving, cycle="FY2026").exclude(status="exempted").count()
    Person.objects.filter(pk=leaving.pk).update(is_active=False)  # as the import does, in bulk
    assert figures(world).assigned == before.assigned  # no signal yet: still the cached figures
    people_synchronised.send(sender=Person, created_ids=[], transferred_ids=[], deactivated_ids=[leaving.pk])
    assert figures(world).assigned == before.assigned - counted > 0


def test_the_assignment_sync_drops_the_figures_however_it_is_run(world):
    figures(world)
    version = caching.figures_version()
    training_tasks.sync_assignments.enqueue()  # the immediate test backend runs it now
    assert caching.figures_version() != version
    newcomer = pf.person(unit_code="CC")  # a new person (this save alone drops the figures too)
    before = figures(world)
    version = caching.figures_version()
    training.assignments_sync()  # called directly, as the management command does: bulk INSERTs
    assert caching.figures_version() != version
    added = Assignment.objects.filter(person=newcomer, cycle="FY2026").count()
    assert added and figures(world).assigned == before.assigned + added


def test_the_figures_of_another_scope_or_cycle_are_their_own(world):
    admin = selectors.viewer_for(world["admin"])
    everything = selectors.dashboard(viewer=admin, cycle="FY2026").total
    sales = selectors.dashboard(viewer=admin, cycle="FY2026", unit_code="SALES").total
    once = selectors.dashboard(viewer=admin, cycle="once").total
    assert sales.assigned < everything.assigned
    assert once.assigned != everything.assigned
