"""The assignment tally (reports/tallies.py) gives the live GROUP BY's figures after every kind of write.

A random organisation on top of the reports world (two fiscal cycles, a one-off module, leavers,
exemptions, quiz results); after each write the tally's rows and figures are compared with the
live query's for the current duties, both fiscal cycles and the one-off modules, for everything
and for every unit's subtree. PostgreSQL only: SQLite has no tally and always counts live.
"""

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from people.models import Person
from reports import selectors, tallies
from reports.models import AssignmentTally
from tests.factories import people as pf
from tests.reports.conftest import NOW
from tests.training.conftest import jst
from training import services as training
from training.models import Assignment, TrainingModulePage

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CYCLES = (selectors.CURRENT, "FY2025", "FY2026", "once")
STATUSES = [s.value for s in Assignment.Status]


def normalised(rows: list[dict]) -> list[tuple]:
    return sorted((tuple(sorted(row.items())) for row in rows), key=repr)


def assert_tally_matches_live() -> None:
    tree = selectors.UnitTree.load()
    scopes = [None] + [tree.subtree_ids([unit.path]) for unit in tree.units.values()]
    compared = 0
    for cycle in CYCLES:
        months = selectors.trend_months(cycle)
        for unit_ids in scopes:
            now = NOW
            live = selectors.main_groups_live(cycle=cycle, unit_ids=unit_ids, months=months, now=now)
            tally = tallies.main_groups(
                cycle=None if cycle == selectors.CURRENT else cycle, unit_ids=unit_ids, months=months, now=now
            )
            assert normalised(tally) == normalised(live), (cycle, unit_ids)
            compared += len(live)
        by_tally = selectors.compute_figures(cycle=cycle, unit_ids=None, months=months, live=False)
        assert by_tally == selectors.compute_figures(cycle=cycle, unit_ids=None, months=months, live=True), cycle
    assert compared, "nothing was compared"
    assert not AssignmentTally.objects.filter(n__lte=0).exists()


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20260715)


@pytest.fixture
def crowd(world, org, rng):
    """Thirty more people in random units, companies and employment types, with the current
    cycle's assignments in every status and completions spread over the year."""
    grid = pf.company("GRID", "みちのく送配電株式会社")
    units = [*org.values(), pf.unit("HACHI_EAST")]
    people = [
        pf.person(unit_code=rng.choice(units).code, etype=rng.choice(["REGULAR", "TEMP", "CONTRACTOR"]))
        for _ in range(30)
    ]
    Person.objects.filter(pk__in=[p.pk for p in people[::3]]).update(company=grid)
    Person.objects.filter(pk=people[-1].pk).update(unit=None, employment_type=None, company=None)
    training.assignments_sync()
    scramble(rng, Assignment.objects.filter(person__in=people))
    return people


def scramble(rng: random.Random, rows) -> None:
    """Queryset updates of status, due and completion times, as a bulk write would make them."""
    for pk in rows.values_list("pk", flat=True):
        status = rng.choice(STATUSES)
        at = jst(2026, 4, 1) + dt.timedelta(days=rng.randint(-40, 120), hours=rng.randint(0, 23))
        Assignment.objects.filter(pk=pk).update(
            status=status,
            due_at=jst(2026, 6, 30) + dt.timedelta(days=rng.randint(-30, 30)),
            completed_at=at if status == "completed" else None,
            exempted_at=at if status == "exempted" else None,
            exemption_reason="休職" if status == "exempted" else "",
            failed_out_at=at if status == "failed_out" else None,
        )


def test_the_migration_tallied_what_was_there_and_the_world_matches(world):
    assert AssignmentTally.objects.exists()
    assert_tally_matches_live()


def test_creating_assignments_one_by_one_and_in_bulk(crowd, world):
    newcomer = pf.person(unit_code="SENDAI_KITA", etype="TEMP")
    basics = TrainingModulePage.objects.get(slug="basics")
    Assignment.objects.create(person=newcomer, module=basics, cycle="FY2026", due_at=jst(2026, 6, 30))
    assert_tally_matches_live()
    sales = TrainingModulePage.objects.get(slug="sales-rules")
    Assignment.objects.bulk_create(
        Assignment(
            person=p,
            module=sales,
            cycle="FY2025",
            status="completed",
            due_at=jst(2025, 6, 30),
            completed_at=jst(2025, 6, 1),
            archived_at=jst(2026, 4, 1),
            archive_reason="cycle_ended",
        )
        for p in crowd
        if not Assignment.objects.filter(person=p, module=sales, cycle="FY2025").exists()
    )
    assert_tally_matches_live()


def test_queryset_updates_of_every_counted_column(crowd, rng):
    rows = Assignment.objects.filter(person__in=crowd)
    scramble(rng, rows)
    assert_tally_matches_live()
    some = list(rows.values_list("pk", flat=True)[::4])
    Assignment.objects.filter(pk__in=some).update(archived_at=NOW, archive_reason="left_audience")
    assert_tally_matches_live()
    Assignment.objects.filter(pk__in=some[::2]).update(archive_reason="cycle_ended")
    assert_tally_matches_live()
    Assignment.objects.filter(pk__in=some[1::2]).update(cycle="FY2025")
    assert_tally_matches_live()
    Assignment.objects.filter(status="assigned").update(due_at=jst(2026, 8, 1))
    assert_tally_matches_live()
    Assignment.objects.filter(status="completed").update(completed_at=jst(2026, 3, 31, 23, 30))  # March in Japan
    assert_tally_matches_live()
    Assignment.objects.update(quiz_passed_at=NOW)  # nothing counted changes
    assert_tally_matches_live()


def test_single_saves_through_the_services(world, crowd):
    admin = world["admin"]
    todo = Assignment.objects.filter(person__in=crowd, status="assigned", archived_at__isnull=True)
    training.assignment_exempt(assignment=todo.first(), actor=admin, reason="産休")
    assert_tally_matches_live()
    one = todo.first()
    one.status, one.completed_at = "completed", jst(2026, 7, 1, 0, 5)  # July in Japan, June in UTC
    one.save()
    assert_tally_matches_live()


def test_deleting_assignments(crowd):
    Assignment.objects.filter(person__in=crowd[:10]).delete()
    assert_tally_matches_live()
    Assignment.objects.get(pk=Assignment.objects.filter(person__in=crowd).first().pk).delete()
    assert_tally_matches_live()


def test_people_moving_unit_company_and_employment_type(crowd, org):
    Person.objects.filter(pk__in=[p.pk for p in crowd[:8]]).update(unit=org["CC"])
    assert_tally_matches_live()
    Person.objects.filter(pk__in=[p.pk for p in crowd[8:12]]).update(company=None, employment_type=None, unit=None)
    assert_tally_matches_live()
    moved = crowd[12]
    moved.unit = org["SENDAI_KITA"]
    moved.employment_type = pf.employment_type("EXECUTIVE")
    moved.company = pf.company("GRID")
    moved.save()
    assert_tally_matches_live()
    Person.objects.filter(pk__in=[p.pk for p in crowd]).update(family_name="改姓")  # nothing counted changes
    assert_tally_matches_live()


def test_people_leaving_and_coming_back(crowd, world):
    Person.objects.filter(pk__in=[p.pk for p in crowd[::2]]).update(is_active=False)
    assert_tally_matches_live()
    leaver = Person.objects.get(pk=world["leaver"].pk)
    leaver.is_active = True
    leaver.save()
    assert_tally_matches_live()


def test_a_person_deleted_after_their_assignments(crowd):
    person = pf.person(unit_code="CC")
    training.assignments_sync(people=[person.pk])
    assert Assignment.objects.filter(person=person).exists()
    assert_tally_matches_live()
    Assignment.objects.filter(person=person).delete()
    Person.objects.filter(pk=person.pk).delete()
    assert_tally_matches_live()


def test_a_person_deleted_before_their_assignments_in_the_same_transaction(crowd):
    """Foreign keys are checked at commit, so SQL may delete the person first: the person's
    trigger takes their assignments out, and the assignments' trigger then finds nobody to count."""
    person = crowd[0]
    assert Assignment.objects.filter(person=person).exists()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_person_job_roles WHERE person_id = %s", [person.pk])
        cursor.execute("DELETE FROM people_person_groups WHERE person_id = %s", [person.pk])
        cursor.execute("DELETE FROM people_person WHERE id = %s", [person.pk])
        assert_tally_matches_live()
        cursor.execute("DELETE FROM training_assignment WHERE person_id = %s", [person.pk])
        assert_tally_matches_live()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys agree


def test_a_copy_of_many_rows_counts_once(crowd, org):
    people = [pf.person(unit_code=rng_unit.code) for rng_unit in list(org.values()) * 3]
    module = TrainingModulePage.objects.get(slug="basics")
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY training_assignment (person_id, module_id, cycle, source, status, assigned_at, due_at, completed_at, "
            "attempt_round, archive_reason, exemption_reason) FROM STDIN"
        ) as copy,
    ):
        for i, p in enumerate(people):
            done = i % 2 == 0
            copy.write_row(
                (p.pk, module.pk, "FY2024", "auto", "completed" if done else "assigned", NOW, NOW,
                 jst(2024, 5 + i % 7, 3) if done else None, 0, "", "")
            )  # fmt: skip
    assert Assignment.objects.filter(cycle="FY2024").count() == len(people)
    assert_tally_matches_live()


# Each trigger, and a write only it accounts for: without it the comparison above must fail.
WRITES_BY_TRIGGER = {
    ("training_assignment", "reports_tally_inserted"): lambda crowd, org: Assignment.objects.bulk_create(
        [Assignment(person=crowd[0], module=TrainingModulePage.objects.get(slug="basics"), cycle="FY2027", due_at=NOW)]
    ),
    ("training_assignment", "reports_tally_updated"): lambda crowd, org: Assignment.objects.filter(
        person=crowd[0]
    ).update(status="completed", completed_at=NOW),
    ("training_assignment", "reports_tally_deleted"): lambda crowd, org: Assignment.objects.filter(
        person=crowd[0]
    ).delete(),
    ("people_person", "reports_tally_updated"): lambda crowd, org: Person.objects.filter(pk=crowd[0].pk).update(
        is_active=False
    ),
    ("people_person", "reports_tally_deleted"): lambda crowd, org: delete_person_first(crowd[0]),
}


def delete_person_first(person: Person) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_person_job_roles WHERE person_id = %s", [person.pk])
        cursor.execute("DELETE FROM people_person WHERE id = %s", [person.pk])
        cursor.execute("DELETE FROM training_assignment WHERE person_id = %s", [person.pk])


@pytest.mark.parametrize(("table", "trigger"), list(WRITES_BY_TRIGGER), ids="/".join)
def test_the_comparison_fails_when_a_trigger_is_missing(crowd, org, table, trigger):
    Assignment.objects.filter(person=crowd[0]).update(status="assigned", completed_at=None, archived_at=None)
    Person.objects.filter(pk=crowd[0].pk).update(is_active=True)
    assert_tally_matches_live()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {trigger} ON {table}")  # rolled back with the test
    WRITES_BY_TRIGGER[(table, trigger)](crowd, org)
    with pytest.raises(AssertionError):
        assert_tally_matches_live()


@pytest.mark.parametrize(("table", "trigger"), list(WRITES_BY_TRIGGER), ids="/".join)
def test_tally_check_finds_what_bypassed_the_triggers_and_repair_counts_afresh(crowd, org, table, trigger):
    call_command("tally_check", stdout=StringIO())  # the triggers kept it right so far
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {trigger} ON {table}")  # rolled back with the test
    WRITES_BY_TRIGGER[(table, trigger)](crowd, org)
    with pytest.raises(CommandError, match="differ from the assignments"):
        call_command("tally_check", stdout=StringIO())
    out = StringIO()
    call_command("tally_check", "--repair", stdout=out)
    assert "were wrong; the tally was counted afresh" in out.getvalue()
    assert_tally_matches_live()
    out = StringIO()
    call_command("tally_check", stdout=out)
    assert "matches" in out.getvalue()


def test_the_tally_is_postgresql_only():
    assert tallies.available()
