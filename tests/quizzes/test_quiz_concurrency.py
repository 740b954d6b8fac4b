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
            mine = Attempt.objects.get(pk=attempt.pk)  # connect first, so both really start together
            barrier.wait(timeout=10)
            graded = attempt_submit(attempt=mine, answers=answers)
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
            Attempt.objects.exists()  # connect first
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


def test_concurrent_submissions_complete_the_training_assignment_once(make_quiz, person, right_answers):
    """Acceptance: one graded attempt and one completion of the assignment the attempt belongs to."""
    from wagtail.models import Locale, Page, Site
    from wagtail.rich_text import RichText

    from portal.models import HomePage
    from tests.training.conftest import read_lesson
    from training.models import Assignment, Certificate, TrainingIndexPage, TrainingModulePage
    from training.services import assignments_sync

    quiz = make_quiz(questions=5)
    # A transactional test starts from flushed tables: make the root page and locale Wagtail's migrations made.
    Locale.objects.get_or_create(language_code="ja")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=HomePage(title="ホーム", slug="home-quiz-concurrency"))
    site = Site.objects.filter(is_default_site=True).first() or Site(hostname="localhost", is_default_site=True)
    site.root_page = home
    site.save()
    index = home.add_child(instance=TrainingIndexPage(title="研修", slug="training-quiz-concurrency"))
    module = TrainingModulePage(
        title="行為規制の基本",
        slug="basics-concurrency",
        summary="概要",
        lessons=[("lesson", {"title": "レッスン1", "body": [("paragraph", RichText("<p>本文</p>"))]})],
        quiz=quiz,
        audience_everyone=True,
        due_rule=TrainingModulePage.DueRule.DAYS_AFTER,
        due_days=30,
    )
    index.add_child(instance=module)
    module.save_revision().publish()
    module = TrainingModulePage.objects.get(pk=module.pk)
    assignments_sync(people=[person.pk], modules=[module])
    assignment = Assignment.objects.get(person=person, module=module)
    for key in module.lesson_keys():
        read_lesson(assignment=assignment, lesson_key=key)
    attempt = attempt_start(person=person, quiz=quiz, context=assignment.quiz_context, return_url=module.url)
    answers = right_answers(attempt)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            mine = Attempt.objects.get(pk=attempt.pk)
            barrier.wait(timeout=10)
            attempt_submit(attempt=mine, answers=answers)
            outcomes.append("graded")
        except AttemptClosed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["graded", "refused"]
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.COMPLETED
    assert Certificate.objects.filter(assignment=assignment).count() == 1
    assert AuditEntry.objects.filter(action="quiz.attempt_graded").count() == 1
    assert AuditEntry.objects.filter(action="training.completed", target_id=str(assignment.pk)).count() == 1
