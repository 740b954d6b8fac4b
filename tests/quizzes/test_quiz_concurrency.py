"""Two submissions of one attempt at the same moment: graded once, announced once (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from audit.models import AuditEntry
from quizzes.models import Attempt, AttemptResponse
from quizzes.services import AttemptClosed, attempt_start, attempt_submit
from quizzes.signals import attempt_graded

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_concurrent_submissions_grade_once_and_complete_once(make_quiz, person, right_answers):
    quiz = make_quiz(questions=5)
    attempt = attempt_start(person=person, quiz=quiz, context="assignment:1")
    answers = right_answers(attempt)
    completions = []
    outcomes = []
    barrier = threading.Barrier(2)

    def on_graded(sender, attempt, **kwargs):
        completions.append(attempt.pk)

    def submit():
        try:
            barrier.wait(timeout=10)
            graded = attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), answers=answers)
            outcomes.append(("graded", graded.score_percent))
        except AttemptClosed:
            outcomes.append(("refused", None))
        finally:
            connections.close_all()

    attempt_graded.connect(on_graded, dispatch_uid="concurrency-test")
    try:
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        attempt_graded.disconnect(dispatch_uid="concurrency-test")

    assert sorted(o[0] for o in outcomes) == ["graded", "refused"]
    assert completions == [attempt.pk]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed is True
    assert AttemptResponse.objects.filter(attempt=attempt).count() == 5
    assert AuditEntry.objects.filter(action="quiz.attempt_graded", target_id=str(attempt.pk)).count() == 1


def test_concurrent_starts_open_one_attempt(make_quiz, person):
    quiz = make_quiz(questions=3)
    results = []
    barrier = threading.Barrier(3)

    def start():
        try:
            barrier.wait(timeout=10)
            results.append(attempt_start(person=person, quiz=quiz, context="same").pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 3 and len(set(results)) == 1
    assert Attempt.objects.filter(context="same").count() == 1
