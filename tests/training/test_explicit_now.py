"""The history services take the moment they act at (`now=`): a loader writes a past year without moving the clock.

Every time they write (rows, certificate, audit entries) is that moment, and every time rule they check
(reading time, wait between attempts, the version current on a day, the cycle) is checked against it.
"""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from audit.services import audit_verify_chain
from quizzes.models import Attempt
from quizzes.services import RetakeTooSoon, attempt_start, attempt_submit
from training import selectors, services
from training.dates import end_of_day_jst
from training.models import Acknowledgement, Assignment, AttestationDocument, Certificate, LessonProgress

from .conftest import answers, jst


def audit_at(action: str, target) -> list[dt.datetime]:
    return list(
        AuditEntry.objects.filter(action=action, target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("seq")
        .values_list("at", flat=True)
    )


@pytest.fixture
def module(make_module, make_quiz):
    quiz = make_quiz(questions=2, max_attempts=3, retake_wait_minutes=10, time_limit_minutes=15)
    return make_module("history", everyone=True, quiz=quiz, lesson_count=2, due_days=30)


def test_a_past_year_written_through_the_services_carries_its_own_times(
    module, make_person, django_capture_on_commit_callbacks
):
    person = make_person()
    assigned = jst(2025, 6, 2, 9, 0)  # a fiscal year before the clock's
    sync = services.assignments_sync(now=assigned)
    assert sync.created == 1
    assignment = Assignment.objects.get(person=person, module=module)
    assert assignment.cycle == "FY2025"
    assert assignment.assigned_at == assigned
    assert assignment.due_at == end_of_day_jst(dt.date(2025, 7, 2))
    assert AuditEntry.objects.get(action="training.assignments_synced").at == assigned

    opened = jst(2025, 6, 10, 10, 0)
    for number, key in enumerate(module.lesson_keys()):
        at = opened + dt.timedelta(minutes=10 * number)
        services.lesson_open(assignment=assignment, lesson_key=key, now=at)
        # The reading time is measured against the moment given, not the clock (which is a year later).
        with pytest.raises(ValidationError) as refused:
            services.lesson_mark_read(assignment=assignment, lesson_key=key, now=at + dt.timedelta(seconds=3))
        assert refused.value.code == "too_fast"
        services.lesson_mark_read(assignment=assignment, lesson_key=key, now=at + dt.timedelta(minutes=9))
    assert sorted(LessonProgress.objects.filter(assignment=assignment).values_list("read_at", flat=True)) == [
        opened + dt.timedelta(minutes=9),
        opened + dt.timedelta(minutes=19),
    ]

    first_try = jst(2025, 6, 10, 10, 30)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_start(person=person, quiz=module.quiz, context=assignment.quiz_context, now=first_try)
        attempt_submit(attempt=attempt, answers=answers(attempt, right=False), now=first_try + dt.timedelta(minutes=2))
    # The wait between attempts runs from the first attempt's submission, as the moment given sees it.
    with pytest.raises(RetakeTooSoon):
        attempt_start(
            person=person, quiz=module.quiz, context=assignment.quiz_context, now=first_try.replace(minute=40)
        )
    passed_at = jst(2025, 6, 10, 10, 50)
    # The attempt_graded receiver runs on commit: what follows is dated by the attempt, not by the clock.
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_start(
            person=person, quiz=module.quiz, context=assignment.quiz_context, now=passed_at - dt.timedelta(minutes=5)
        )
        attempt_submit(attempt=attempt, answers=answers(attempt), now=passed_at)

    first, second = Attempt.objects.filter(person=person).order_by("number")
    assert (first.started_at, first.submitted_at, first.passed) == (first_try, first_try.replace(minute=32), False)
    assert first.deadline_at == first_try + dt.timedelta(minutes=15)
    assert (second.started_at, second.submitted_at, second.passed) == (
        passed_at - dt.timedelta(minutes=5),
        passed_at,
        True,
    )
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.COMPLETED
    assert assignment.quiz_passed_at == assignment.completed_at == passed_at
    assert assignment.completed_on_time
    certificate = Certificate.objects.get(assignment=assignment)
    assert certificate.completed_at == certificate.issued_at == passed_at
    assert audit_at("training.quiz_passed", assignment) == [passed_at]
    assert audit_at("training.completed", assignment) == [passed_at]
    assert audit_at("quiz.attempt_started", second) == [passed_at - dt.timedelta(minutes=5)]
    assert audit_at("quiz.attempt_graded", first) == [first_try.replace(minute=32)]
    assert audit_at("quiz.attempt_graded", second) == [passed_at]
    # Entries dated in the past, appended in order: the chain holds.
    assert list(audit_verify_chain()) == []


def test_a_failed_out_assignment_is_dated_by_the_last_attempt(make_module, make_quiz, make_person):
    quiz = make_quiz(questions=2, max_attempts=1)
    module = make_module("one-try", everyone=True, quiz=quiz, lesson_count=1)
    person = make_person()
    services.assignments_sync(now=jst(2025, 6, 2, 9, 0))
    assignment = Assignment.objects.get(person=person, module=module)
    graded = jst(2025, 6, 3, 11, 0)
    attempt = attempt_start(person=person, quiz=quiz, context=assignment.quiz_context, now=graded)
    attempt = attempt_submit(attempt=attempt, answers=answers(attempt, right=False), now=graded)
    # As the demo does inside a transaction, where the receiver would only run on commit.
    services.assignment_record_quiz_result(attempt=attempt, now=graded)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.FAILED_OUT and assignment.failed_out_at == graded
    assert audit_at("training.failed_out", assignment) == [graded]


def test_the_version_current_on_the_day_is_the_one_acknowledged(org, make_person):
    from people.roles import TRAINING_ADMINISTRATORS

    trainer = make_person(groups=(TRAINING_ADMINISTRATORS,))
    person = make_person()
    document = AttestationDocument.objects.create(title="行動規範", slug="coc", audience_everyone=True)
    first_day = jst(2025, 4, 1, 9, 0)
    v1 = services.attestation_publish_version(
        document=document, body="<p>第1版</p>", material=True, actor=trainer, now=first_day
    )
    v2 = services.attestation_publish_version(
        document=document, body="<p>第2版</p>", material=True, actor=trainer, now=first_day + dt.timedelta(days=30)
    )
    assert (v1.published_at, v2.published_at) == (first_day, first_day + dt.timedelta(days=30))
    assert audit_at("training.attestation_published", v1) == [first_day]
    day = first_day + dt.timedelta(days=10)
    assert selectors.current_version(document=document, now=day) == v1
    assert selectors.current_version(document=document) == v2
    ack = services.attestation_acknowledge(person=person, version=v1, now=day)
    assert Acknowledgement.objects.get(pk=ack.pk).acknowledged_at == day
    assert audit_at("training.attestation_acknowledged", ack) == [day]
    # On a day after the second version, the first is no longer the one to acknowledge.
    with pytest.raises(ValidationError):
        services.attestation_acknowledge(person=make_person(), version=v1, now=first_day + dt.timedelta(days=31))


def test_without_a_moment_the_services_act_now(module, make_person):
    from django.utils import timezone

    person = make_person()
    before = timezone.now()
    services.assignments_sync()
    assignment = Assignment.objects.get(person=person, module=module)
    key = module.lesson_keys()[0]
    services.lesson_open(assignment=assignment, lesson_key=key)
    after = timezone.now()
    assert before <= assignment.assigned_at <= after
    assert before <= assignment.lesson_visits.get(lesson_key=key).opened_at <= after
    assert before <= AuditEntry.objects.get(action="training.assignments_synced").at <= after
    # Just opened by the clock: the reading time has not passed.
    with pytest.raises(ValidationError) as refused:
        services.lesson_mark_read(assignment=assignment, lesson_key=key)
    assert refused.value.code == "too_fast"


def test_no_module_the_portal_runs_imports_time_machine():
    """time_machine is a test tool (requirements-dev only): the demo and the apps write history with `now=`."""
    base = Path(settings.BASE_DIR)
    offenders = []
    for path in base.rglob("*.py"):
        parts = path.relative_to(base).parts
        if parts[0] in {".venv", "tests", "node_modules"} or parts[0].startswith("."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "time_machine" for name in names):
                offenders.append(str(path.relative_to(base)))
    assert offenders == []
    runtime = (base / "requirements.in").read_text() + (base / "requirements.txt").read_text()
    assert "time-machine" not in runtime.lower() and "time_machine" not in runtime.lower()
