import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from people.roles import TRAINING_ADMINISTRATORS
from tests.factories import people as pf
from training import services
from training.models import Assignment

from .conftest import jst


@pytest.fixture(params=["bulk_create", "insert_select"])
def insert_path(request, monkeypatch):
    """Run a test through both ways of creating rows: model instances, and one INSERT … SELECT."""
    if request.param == "insert_select":
        monkeypatch.setattr(services, "BULK_INSERT_FROM", 0)
    return request.param


def assigned(person) -> set[str]:
    return set(
        Assignment.objects.filter(person=person, archived_at__isnull=True).values_list("module__slug", flat=True)
    )


def test_audience_combines_units_with_subunits_types_and_roles(make_module, make_person, insert_path):
    make_module("everyone", everyone=True)
    make_module("sales", units=("SALES",), etypes=("REGULAR",))
    make_module("cc", units=("CC",), roles=("CALL_CENTRE",))
    make_module("staff", etypes=("TEMP", "CONTRACTOR"))
    sales = make_person(unit_code="HACHINOHE", roles=("SALES",))
    temp = make_person(unit_code="SENDAI_KITA", etype="TEMP")
    cc = make_person(unit_code="CC", roles=("CALL_CENTRE",))
    cc_no_role = make_person(unit_code="CC", roles=())
    contractor = make_person(unit_code="CC", etype="CONTRACTOR", roles=("CALL_CENTRE",))

    services.assignments_sync()

    assert assigned(sales) == {"everyone", "sales"}
    assert assigned(temp) == {"everyone", "staff"}
    assert assigned(cc) == {"everyone", "cc"}
    assert assigned(cc_no_role) == {"everyone"}
    assert assigned(contractor) == {"everyone", "cc", "staff"}


def test_sync_is_idempotent_and_leavers_are_archived_not_deleted(make_module, make_person, insert_path):
    make_module("everyone", everyone=True)
    people = [make_person() for _ in range(5)]
    first = services.assignments_sync()
    again = services.assignments_sync()
    assert first.created == 5
    assert (again.created, again.archived) == (0, 0)
    assert Assignment.objects.count() == 5

    people[0].is_active = False
    people[0].save()
    services.assignments_sync(people=[people[0].pk])
    row = Assignment.objects.get(person=people[0])
    assert row.archived_at is not None and row.archive_reason == "left_audience"
    assert Assignment.objects.count() == 5


def test_due_date_is_end_of_day_jst_n_days_after_assignment(make_module, make_person, insert_path):
    module = make_module("everyone", everyone=True, due_days=30)
    person = make_person()
    with time_machine.travel(jst(2026, 5, 10, 9, 0), tick=False):
        services.assignments_sync()
    row = Assignment.objects.get(person=person, module=module)
    assert row.cycle == "FY2026"
    assert row.due_at == jst(2026, 6, 9, 23, 59, 59, 999999)


def test_fixed_due_date_of_annual_module_falls_in_each_fiscal_year(make_module, make_person):
    module = make_module("annual", everyone=True, due_rule="fixed", due_date=dt.date(2025, 2, 28))
    assert module.due_date_for(cycle="FY2026", assigned_on=dt.date(2026, 4, 1)) == dt.date(2027, 2, 28)
    module.due_date = dt.date(2025, 9, 30)
    assert module.due_date_for(cycle="FY2026", assigned_on=dt.date(2026, 4, 1)) == dt.date(2026, 9, 30)


def test_new_fiscal_year_archives_the_old_cycle_and_opens_a_new_one(make_module, make_person, insert_path):
    module = make_module("annual", everyone=True)
    person = make_person()
    with time_machine.travel(jst(2027, 3, 31, 23, 0), tick=False):
        services.assignments_sync()
    with time_machine.travel(jst(2027, 4, 1, 0, 5), tick=False):
        services.assignments_sync()
    rows = {a.cycle: a for a in Assignment.objects.filter(person=person, module=module)}
    assert set(rows) == {"FY2026", "FY2027"}
    assert rows["FY2026"].archived_at is not None and rows["FY2026"].archive_reason == "cycle_ended"
    assert rows["FY2027"].archived_at is None and rows["FY2027"].status == "assigned"


def test_publishing_a_module_assigns_it(make_module, make_person, django_capture_on_commit_callbacks):
    person = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        make_module("everyone", everyone=True)
    assert assigned(person) == {"everyone"}


def test_manual_assignment_and_exemption_need_a_training_administrator(make_module, make_person):
    module = make_module("cc", units=("CC",))
    outsider = make_person(unit_code="HACHINOHE")
    admin = make_person(unit_code="HACHINOHE", groups=(TRAINING_ADMINISTRATORS,))
    with pytest.raises(PermissionError):
        services.assignment_assign_manual(person=outsider, module=module, actor=outsider)
    assignment = services.assignment_assign_manual(person=outsider, module=module, actor=admin)
    assert assignment.source == "manual"
    with pytest.raises(ValidationError):
        services.assignment_assign_manual(person=outsider, module=module, actor=admin)
    # The audience sync leaves a manual assignment alone.
    services.assignments_sync()
    assignment.refresh_from_db()
    assert assignment.archived_at is None

    with pytest.raises(ValidationError):
        services.assignment_exempt(assignment=assignment, actor=admin, reason="   ")
    assignment.refresh_from_db()
    assert assignment.status == "assigned"
    services.assignment_exempt(assignment=assignment, actor=admin, reason="長期休職中")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.exemption_reason, assignment.exempted_by) == ("exempted", "長期休職中", admin)


def test_sync_query_count_does_not_grow_with_people(make_module, make_person, django_assert_max_num_queries):
    make_module("everyone", everyone=True)
    make_module("sales", units=("SALES",))
    for _ in range(30):
        make_person()
    budget = 26  # 25, and on PostgreSQL the turn it takes with the HR import (people/locks.py)
    with django_assert_max_num_queries(budget):
        result = services.assignments_sync()
    assert result.created == 60
    pf.person()  # one more person: the same number of queries
    with django_assert_max_num_queries(budget):
        assert services.assignments_sync().created == 2
