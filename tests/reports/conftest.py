"""A small organisation with two cycles of training, exemptions, leavers and quiz answers.

Built through the real services under a moved clock: FY2025 is assigned and partly completed,
then FY2026 opens (FY2025 is archived as "cycle_ended"), someone is exempted, someone leaves,
and the tests look at it on 15 July 2026 (Japan time), after the 30 June due date.
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group

from people.models import Person, Unit
from people.roles import MANAGERS, TRAINING_ADMINISTRATORS
from quizzes.services import attempt_start, attempt_submit
from tests.factories import people as pf
from tests.training.conftest import (  # noqa: F401
    answers,
    jst,
    make_module,
    make_quiz,
    org,
    read_lesson,
    training_index,
)
from training import services as training
from training.models import Assignment, TrainingModulePage

NOW = jst(2026, 7, 15, 10, 0)


def read_all(assignment: Assignment) -> None:
    for key in assignment.module.lesson_keys():
        read_lesson(assignment=assignment, lesson_key=key)


def take_quiz(assignment: Assignment, *, right: bool, capture) -> None:
    attempt = attempt_start(person=assignment.person, quiz=assignment.module.quiz, context=assignment.quiz_context)
    with capture(execute=True):
        attempt_submit(attempt=attempt, answers=answers(attempt, right=right))


def a(person, slug: str, cycle: str) -> Assignment:
    return Assignment.objects.get(person=person, module__slug=slug, cycle=cycle)


@pytest.fixture
def world(org, make_module, make_quiz, django_capture_on_commit_callbacks, mfa_user):  # noqa: F811
    pf.unit("HACHI_EAST", "八戸東分室", parent=org["HACHINOHE"])
    people = {}
    with time_machine.travel(jst(2025, 5, 1, 9, 0), tick=False):
        admin = mfa_user(TRAINING_ADMINISTRATORS, unit_code="CC", email="admin-t@example.jp", employee_number="T0001")
        manager = pf.person(email="boss@example.jp", unit_code="SALES", groups=(MANAGERS,), employee_number="M0001")
        org["SALES"].managers.add(manager)
        people.update(
            admin=admin,
            manager=manager,
            hachi1=pf.person(email="h1@example.jp", unit_code="HACHINOHE", manager=manager, employee_number="E0001"),
            hachi2=pf.person(email="h2@example.jp", unit_code="HACHINOHE", etype="TEMP", employee_number="E0002"),
            east=pf.person(
                email="east@example.jp", unit_code="HACHI_EAST", roles=("SALES", "CALL_CENTRE"), employee_number="E0003"
            ),
            sendai=pf.person(email="s1@example.jp", unit_code="SENDAI_KITA", employee_number="E0004"),
            leaver=pf.person(email="leaver@example.jp", unit_code="SENDAI_KITA", employee_number="E0005"),
            cc1=pf.person(email="cc1@example.jp", unit_code="CC", roles=("CALL_CENTRE",), employee_number="E0006"),
            cc2=pf.person(email="cc2@example.jp", unit_code="CC", etype="CONTRACTOR", employee_number="E0007"),
        )
        quiz = make_quiz("conduct", questions=3)
        make_module(
            "basics",
            title="行為規制の基本",
            everyone=True,
            due_rule=TrainingModulePage.DueRule.FIXED,
            due_date=dt.date(2025, 6, 30),
        )
        make_module("sales-rules", title="営業窓口の情報管理", units=("SALES",), due_days=30)
        make_module("quiz-mod", title="確認テスト", units=("SALES",), quiz=quiz, lesson_count=1, due_days=60)
        make_module(
            "cc-once",
            title="コールセンター初任研修",
            units=("CC",),
            cycle=TrainingModulePage.Cycle.ONCE,
            due_rule=TrainingModulePage.DueRule.FIXED,
            due_date=dt.date(2026, 6, 30),
        )
        training.assignments_sync()
        read_all(a(people["hachi1"], "basics", "FY2025"))
        read_all(a(people["sendai"], "basics", "FY2025"))
        read_all(a(people["cc1"], "cc-once", "once"))
    with time_machine.travel(jst(2025, 6, 20, 9, 0), tick=False):
        read_all(a(people["leaver"], "basics", "FY2025"))
        read_all(a(people["east"], "sales-rules", "FY2025"))
    with time_machine.travel(jst(2026, 5, 1, 9, 0), tick=False):
        training.assignments_sync()
        read_all(a(people["hachi1"], "basics", "FY2026"))
        read_all(a(people["east"], "sales-rules", "FY2026"))
        for who, right in (("hachi1", False), ("east", True), ("hachi2", False)):
            quiz_assignment = a(people[who], "quiz-mod", "FY2026")
            read_all(quiz_assignment)
            take_quiz(quiz_assignment, right=right, capture=django_capture_on_commit_callbacks)
        training.assignment_exempt(assignment=a(people["hachi2"], "basics", "FY2026"), actor=admin, reason="長期休職中")
    with time_machine.travel(jst(2026, 6, 10, 9, 0), tick=False):
        read_all(a(people["cc2"], "basics", "FY2026"))
        Person.objects.filter(pk=people["leaver"].pk).update(is_active=False, left_at=jst(2026, 6, 10))
        training.assignments_sync()
    with time_machine.travel(NOW, tick=False):
        yield people


@pytest.fixture
def employee(world):
    return world["cc2"]


def group(name: str) -> Group:
    return Group.objects.get_or_create(name=name)[0]


def subtree_paths(*codes: str) -> list[str]:
    return list(Unit.objects.filter(code__in=codes).values_list("path", flat=True))
