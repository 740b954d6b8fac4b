"""The dashboard's figures against a count written here in plain Python over every assignment row."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from people.models import Unit
from people.services import unit_move
from reports import selectors
from tests.factories import people as pf
from training import services as training
from training.dates import JST
from training.models import Assignment

from .conftest import subtree_paths

pytestmark = pytest.mark.django_db


def independent_count(*, cycle: str, paths: list[str] | None, key=lambda a: "all") -> dict:
    """What the definitions in reports/selectors.py say, row by row."""
    now = timezone.now()
    found: dict = {}
    for row in Assignment.objects.select_related("person__unit", "person__employment_type", "module"):
        person = row.person
        if not person.is_active:
            continue
        if cycle == "current":
            if row.archived_at is not None:
                continue
        elif row.cycle != cycle or (row.archived_at is not None and row.archive_reason != "cycle_ended"):
            continue
        if paths is not None and not (person.unit and any(person.unit.path.startswith(p) for p in paths)):
            continue
        keys = key(row)
        for k in keys if isinstance(keys, list) else [keys]:
            counts = found.setdefault(k, {"assigned": 0, "completed": 0, "overdue": 0, "exempted": 0})
            if row.status == "exempted":
                counts["exempted"] += 1
                continue
            counts["assigned"] += 1
            if row.status == "completed":
                counts["completed"] += 1
            elif row.due_at < now:
                counts["overdue"] += 1
    return found


def as_dict(counts: selectors.Counts) -> dict:
    return {
        "assigned": counts.assigned,
        "completed": counts.completed,
        "overdue": counts.overdue,
        "exempted": counts.exempted,
    }


CYCLES = ["current", "FY2025", "FY2026", "once"]


ZERO = {"assigned": 0, "completed": 0, "overdue": 0, "exempted": 0}


def test_totals_equal_an_independent_count(world):
    viewer = selectors.viewer_for(world["admin"])
    for cycle in CYCLES:
        for unit_code in (None, "SALES", "HACHINOHE", "HACHI_EAST", "SENDAI_KITA", "CC"):
            board = selectors.dashboard(viewer=viewer, cycle=cycle, unit_code=unit_code)
            paths = subtree_paths(unit_code) if unit_code else None
            expected = independent_count(cycle=cycle, paths=paths).get("all", ZERO)
            assert as_dict(board.total) == expected, (cycle, unit_code)


def test_unit_rows_roll_up_their_subtrees(world):
    viewer = selectors.viewer_for(world["admin"])
    for cycle in CYCLES:
        board = selectors.dashboard(viewer=viewer, cycle=cycle, unit_code="SALES")
        rows = {r.key: as_dict(r.counts) for r in board.units}
        # HACHINOHE's row includes its sub-unit HACHI_EAST.
        for code in ("HACHINOHE", "SENDAI_KITA"):
            assert rows[code] == independent_count(cycle=cycle, paths=subtree_paths(code)).get("all", ZERO), cycle
        drilled = selectors.dashboard(viewer=viewer, cycle=cycle, unit_code="HACHINOHE")
        rows = {r.key: as_dict(r.counts) for r in drilled.units}
        assert rows["HACHI_EAST"] == independent_count(cycle=cycle, paths=subtree_paths("HACHI_EAST")).get("all", ZERO)


def test_module_type_and_role_rows_equal_an_independent_count(world):
    viewer = selectors.viewer_for(world["admin"])
    for cycle in CYCLES:
        board = selectors.dashboard(viewer=viewer, cycle=cycle)
        modules = independent_count(cycle=cycle, paths=None, key=lambda a: a.module.title)
        assert {r.label: as_dict(r.counts) for r in board.modules} == modules, cycle
        etypes = independent_count(cycle=cycle, paths=None, key=lambda a: a.person.employment_type.name)
        assert {r.label: as_dict(r.counts) for r in board.employment_types} == etypes, cycle
        roles = independent_count(cycle=cycle, paths=None, key=lambda a: [r.name for r in a.person.job_roles.all()])
        assert {r.label: as_dict(r.counts) for r in board.job_roles} == roles, cycle


def test_the_numbers_by_hand_for_hachinohe_this_cycle(world):
    """Spelled out: h1 did basics (FY26) and failed the quiz; h2 is exempted from basics; east did sales-rules."""
    board = selectors.dashboard(viewer=selectors.viewer_for(world["admin"]), cycle="FY2026", unit_code="HACHINOHE")
    # hachi1, hachi2, east × (basics, sales-rules, quiz-mod) = 9 rows, one exempted.
    assert board.total.exempted == 1
    assert board.total.assigned == 8
    # hachi1 basics, east sales-rules, east quiz-mod (passed) → 3 completed.
    assert board.total.completed == 3
    # basics due 30 June: nobody left open (h1 done, h2 exempted, east open → overdue);
    # sales-rules due 31 May: h1, h2 open → overdue. quiz-mod due 30 June: h1, h2 → overdue.
    assert board.total.overdue == 5
    assert board.total.percent == 37.5


def test_leavers_are_left_out(world):
    board = selectors.dashboard(viewer=selectors.viewer_for(world["admin"]), cycle="FY2025", unit_code="SENDAI_KITA")
    # The leaver completed basics in FY2025 but has left: only s1's three FY2025 rows count
    # (basics, sales-rules, quiz-mod), of which s1 completed basics.
    assert board.total.assigned == 3
    assert board.total.completed == 1


def test_trend_ends_at_the_cycle_total(world):
    board = selectors.dashboard(viewer=selectors.viewer_for(world["admin"]), cycle="FY2026")
    assert board.trend[-1].cumulative == board.total.completed
    assert [p.month for p in board.trend] == sorted(p.month for p in board.trend)
    # The fiscal year from April up to this month (July), completions from May.
    assert [p.month for p in board.trend] == [dt.date(2026, m, 1) for m in (4, 5, 6, 7)]
    assert board.trend[0].completed == 0 and board.trend[1].completed > 0
    expected = independent_count(
        cycle="FY2026", paths=None, key=lambda a: a.completed_at.astimezone(JST).month if a.completed_at else None
    )
    assert [p.completed for p in board.trend] == [expected.get(m, {"completed": 0})["completed"] for m in (4, 5, 6, 7)]


def test_weak_points_count_wrong_answers_per_question_and_unit(world):
    board = selectors.dashboard(viewer=selectors.viewer_for(world["admin"]), cycle="FY2026", unit_code="SALES")
    points = selectors.weak_points(dashboard=board)
    # Three people answered the same three questions; two (hachi1, hachi2) got every one wrong.
    assert len(points) == 3
    for point in points:
        assert (point.answered, point.wrong) == (3, 2)
        assert point.edit_url.startswith("/admin/snippets/quizzes/questionbank/edit/")
        assert point.by_unit == [("八戸営業所", 3, 2)]


def test_manager_scope_is_their_subtree(world):
    viewer = selectors.viewer_for(world["manager"])
    assert viewer is not None and not viewer.everything
    board = selectors.dashboard(viewer=viewer)
    assert {r.key for r in board.units} == {"SALES"}
    expected = independent_count(cycle="current", paths=subtree_paths("SALES"))["all"]
    assert as_dict(board.total) == expected
    with pytest.raises(Unit.DoesNotExist):
        selectors.dashboard(viewer=viewer, unit_code="CC")


def test_manager_scope_follows_a_unit_moved_into_their_subtree(world):
    """The call centre moved under SALES: its people count in the SALES manager's totals (with the
    SALES modules they are now assigned), and the dashboard shows it below SALES."""
    before = as_dict(selectors.dashboard(viewer=selectors.viewer_for(world["manager"])).total)

    unit_move(unit=Unit.objects.get(code="CC"), parent=Unit.objects.get(code="SALES"), actor=None)

    viewer = selectors.viewer_for(world["manager"])
    after = as_dict(selectors.dashboard(viewer=viewer).total)
    assert after == independent_count(cycle="current", paths=subtree_paths("SALES"))["all"]
    assert after["assigned"] > before["assigned"]
    assert "CC" in {r.key for r in selectors.dashboard(viewer=viewer, unit_code="SALES").units}
    assert [u.code for u in selectors.dashboard(viewer=viewer, unit_code="CC").breadcrumbs] == ["SALES"]


def test_employees_and_superusers_have_no_viewer(world):
    assert selectors.viewer_for(world["cc2"]) is None
    root = pf.person(email="root@example.jp", unit_code="CC", groups=("site_administrators",), is_superuser=True)
    assert selectors.viewer_for(root) is None


def _queries(viewer, unit_code=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        board = selectors.dashboard(viewer=viewer, unit_code=unit_code)
        selectors.weak_points(dashboard=board)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_people_or_units(world, django_assert_max_num_queries):
    admin = selectors.viewer_for(world["admin"])
    small = (_queries(admin), _queries(admin, "SALES"))
    parent = Unit.objects.get(code="SALES")
    for i in range(12):
        unit = pf.unit(f"NEW{i}", f"新営業所{i}", parent=parent)
        for j in range(4):
            pf.person(email=f"n{i}-{j}@example.jp", unit_code=unit.code, etype=("REGULAR", "TEMP")[j % 2])
    training.assignments_sync()
    large = (_queries(admin), _queries(admin, "SALES"))
    assert small == large
    with django_assert_max_num_queries(12):
        selectors.dashboard(viewer=admin)


def test_bad_cycle_is_refused():
    with pytest.raises(selectors.BadRequest):
        selectors.clean_cycle("2026")
    assert selectors.clean_cycle("FY2026") == "FY2026"


@pytest.mark.parametrize(
    ("start", "end"), [("", "2026-01-01"), ("2026-05-01", "2026-04-01"), ("2020-01-01", "2026-01-01"), ("x", "y")]
)
def test_bad_periods_are_refused(start, end):
    with pytest.raises(selectors.BadRequest):
        selectors.clean_period(start, end)


def test_tally_check_on_sqlite_says_there_is_no_tally(on_postgres):
    if on_postgres:
        pytest.skip("SQLite only: PostgreSQL keeps a tally (tests/reports/test_tallies.py)")
    out = StringIO()
    call_command("tally_check", "--repair", stdout=out)
    assert "No tally on this database" in out.getvalue()
