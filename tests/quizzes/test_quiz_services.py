"""The rules of attempts, exercised through the services."""

import random
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from quizzes.models import TIME_LIMIT_GRACE, Attempt, AttemptResponse
from quizzes.selectors import attempts_for, best_attempt
from quizzes.services import (
    AnswersRejected,
    AttemptClosed,
    AttemptLimitReached,
    TimeLimitExceeded,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    question_bank_publish,
)
from quizzes.signals import attempt_graded

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded_signals():
    received = []

    def receiver(sender, attempt, **kwargs):
        received.append(attempt.pk)

    attempt_graded.connect(receiver, dispatch_uid="test-receiver")
    yield received
    attempt_graded.disconnect(dispatch_uid="test-receiver")


def test_reloading_returns_the_same_frozen_attempt(make_quiz, person):
    quiz = make_quiz(questions=5, bank_size=20)
    first = attempt_start(person=person, quiz=quiz, context="c")
    again = attempt_start(person=person, quiz=quiz, context="c")
    assert again.pk == first.pk
    assert again.question_ids() == first.question_ids()
    assert Attempt.objects.count() == 1


def test_a_new_attempt_draws_again(make_quiz, person, right_answers):
    quiz = make_quiz(questions=5, bank_size=20)
    first = attempt_start(person=person, quiz=quiz, context="c", rng=random.Random(1))
    attempt_submit(attempt=first, answers=right_answers(first, 0))
    second = attempt_start(person=person, quiz=quiz, context="c", rng=random.Random(2))
    assert second.pk != first.pk
    assert second.number == 2
    assert set(second.question_ids()) != set(first.question_ids())


def test_contexts_are_separate(make_quiz, person):
    quiz = make_quiz(questions=3)
    a = attempt_start(person=person, quiz=quiz, context="assignment:1")
    b = attempt_start(person=person, quiz=quiz, context="assignment:2")
    assert a.pk != b.pk
    assert list(attempts_for(person=person, quiz=quiz, context="assignment:1")) == [a]


@pytest.mark.parametrize(("right", "passed", "score"), [(16, True, "80.00"), (15, False, "75.00")])
def test_pass_mark_boundary_at_80_percent_of_20(make_quiz, person, right_answers, right, passed, score):
    quiz = make_quiz(questions=20, pass_mark_percent=80)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    graded = attempt_submit(attempt=attempt, answers=right_answers(attempt, right))
    assert graded.correct_count == right
    assert graded.score_percent == Decimal(score)
    assert graded.passed is passed
    assert graded.status == Attempt.Status.SUBMITTED


def test_score_is_a_rounded_decimal_but_pass_compares_exactly(make_quiz, person, right_answers):
    quiz = make_quiz(questions=3, pass_mark_percent=67)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    graded = attempt_submit(attempt=attempt, answers=right_answers(attempt, 2))
    # 2/3 = 66.666…% shows as 66.67 and is below a 67% mark.
    assert graded.score_percent == Decimal("66.67")
    assert graded.passed is False


def test_unanswered_questions_count_as_wrong(make_quiz, person, right_answers):
    quiz = make_quiz(questions=4, pass_mark_percent=50)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    answers = right_answers(attempt)
    answers.pop(str(attempt.questions[0]["id"]))
    graded = attempt_submit(attempt=attempt, answers=answers, unanswered_confirmed=True)
    assert graded.correct_count == 3 and graded.answered_count == 3
    assert AttemptResponse.objects.get(attempt=graded, position=0).is_correct is False


def test_multiple_choice_needs_exactly_the_correct_set(person):
    question_bank_publish(
        slug="multi",
        title="multi",
        questions=[
            {
                "kind": "multiple",
                "text": "Which are off-limits?",
                "choices": [
                    {"text": "grid customer data", "correct": True},
                    {"text": "grid power-flow diagrams", "correct": True},
                    {"text": "our own tariffs", "correct": False},
                ],
                "explanation": "<p>Both belong to the grid company.</p>",
            }
        ],
    )
    from quizzes.services import quiz_configure

    quiz = quiz_configure(slug="m", title="m", bank_slugs=["multi"], question_count=1, pass_mark_percent=100)
    q = None

    def ids(*texts):
        return [c["id"] for c in q["choices"] if c["text"] in texts]

    first = attempt_start(person=person, quiz=quiz, context="")
    q = first.questions[0]
    assert attempt_submit(attempt=first, answers={q["id"]: ids("grid customer data")}).passed is False
    second = attempt_start(person=person, quiz=quiz, context="")
    q = second.questions[0]
    answer = ids("grid customer data", "grid power-flow diagrams", "our own tariffs")
    assert attempt_submit(attempt=second, answers={q["id"]: answer}).passed is False
    third = attempt_start(person=person, quiz=quiz, context="")
    q = third.questions[0]
    answer = ids("grid customer data", "grid power-flow diagrams")
    assert attempt_submit(attempt=third, answers={q["id"]: answer}).passed is True


def test_grading_uses_the_questions_frozen_at_draw_time(make_quiz, person, specs, right_answers):
    quiz = make_quiz(questions=2, slug="frozen")
    attempt = attempt_start(person=person, quiz=quiz, context="")
    answers = right_answers(attempt)
    # The editor now flips every question's right answer and republishes the bank.
    flipped = specs(2)
    for spec in flipped:
        spec["choices"][0]["correct"], spec["choices"][1]["correct"] = False, True
    question_bank_publish(slug="frozen-bank", title="frozen bank", questions=flipped)
    graded = attempt_submit(attempt=attempt, answers=answers)
    assert graded.correct_count == 2


def test_answers_for_a_question_outside_the_attempt_are_refused_and_change_nothing(make_quiz, person, right_answers):
    quiz = make_quiz(questions=3, bank_size=6)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    outside = next(
        pk for pk in quiz.banks.get().questions.values_list("pk", flat=True) if pk not in attempt.question_ids()
    )
    answers = right_answers(attempt)
    answers[str(outside)] = ["whatever"]
    with pytest.raises(AnswersRejected, match="not part of this attempt"):
        attempt_submit(attempt=attempt, answers=answers)
    with pytest.raises(AnswersRejected):
        attempt_save_answers(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.answers == {}
    assert not AttemptResponse.objects.exists()


def test_unknown_choice_and_two_choices_for_single_are_refused(make_quiz, person):
    quiz = make_quiz(questions=1)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    q = attempt.questions[0]
    with pytest.raises(AnswersRejected, match="choice"):
        attempt_save_answers(attempt=attempt, answers={q["id"]: ["not-a-choice"]})
    with pytest.raises(AnswersRejected, match="Only one"):
        attempt_save_answers(attempt=attempt, answers={q["id"]: [c["id"] for c in q["choices"][:2]]})
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_answers_are_saved_as_the_person_goes(make_quiz, person, right_answers):
    quiz = make_quiz(questions=3)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    all_right = right_answers(attempt)
    first_key = str(attempt.questions[0]["id"])
    attempt_save_answers(attempt=attempt, answers={first_key: all_right[first_key]})
    reloaded = attempt_start(person=person, quiz=quiz, context="")
    assert reloaded.answers == {first_key: all_right[first_key]}
    attempt_save_answers(attempt=attempt, answers={first_key: []})
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_after_submission_answers_and_resubmissions_are_refused(
    make_quiz, person, right_answers, graded_signals, django_capture_on_commit_callbacks
):
    quiz = make_quiz(questions=3, pass_mark_percent=100)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=right_answers(attempt, 0))
    with pytest.raises(AttemptClosed, match="already been submitted"):
        attempt_save_answers(attempt=attempt, answers=right_answers(attempt))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AttemptClosed):
        attempt_submit(attempt=attempt, answers=right_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.passed is False
    assert attempt.correct_count == 0
    assert graded_signals == [attempt.pk]
    assert AttemptResponse.objects.filter(attempt=attempt).count() == 3


def test_grading_records_responses_audit_entry_and_signal_after_commit(
    make_quiz, person, right_answers, graded_signals, django_capture_on_commit_callbacks
):
    quiz = make_quiz(questions=4)
    attempt = attempt_start(person=person, quiz=quiz, context="assignment:7")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attempt_submit(attempt=attempt, answers=right_answers(attempt, 3))
    assert graded_signals == []  # not before the transaction commits
    for callback in callbacks:
        callback()
    assert graded_signals == [attempt.pk]
    responses = list(AttemptResponse.objects.filter(attempt=attempt).order_by("position"))
    assert [r.is_correct for r in responses] == [True, True, True, False]
    assert [r.question_key for r in responses] == attempt.question_ids()
    entry = AuditEntry.objects.get(action="quiz.attempt_graded")
    assert entry.target_id == str(attempt.pk)
    assert entry.detail["score_percent"] == "75.00"
    assert AuditEntry.objects.filter(action="quiz.attempt_started", target_id=str(attempt.pk)).count() == 1


def test_attempt_limit_counts_every_attempt_and_resumes_the_open_one(make_quiz, person, right_answers):
    quiz = make_quiz(questions=2, max_attempts=2)
    first = attempt_start(person=person, quiz=quiz, context="a")
    attempt_submit(attempt=first, answers=right_answers(first, 0))
    second = attempt_start(person=person, quiz=quiz, context="a")
    assert attempt_start(person=person, quiz=quiz, context="a").pk == second.pk  # still open: resumed
    attempt_submit(attempt=second, answers=right_answers(second, 0))
    with pytest.raises(AttemptLimitReached, match="all 2 attempts"):
        attempt_start(person=person, quiz=quiz, context="a")
    assert Attempt.objects.filter(context="a").count() == 2
    assert isinstance(AttemptLimitReached("x"), ValidationError)
    # Another context has its own allowance.
    assert attempt_start(person=person, quiz=quiz, context="b").number == 1


def test_time_limit_refuses_late_answers_after_the_grace_period(make_quiz, person, right_answers):
    quiz = make_quiz(questions=2, time_limit_minutes=10)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attempt = attempt_start(person=person, quiz=quiz, context="")
        assert attempt.deadline_at == start + timezone.timedelta(minutes=10)
        answers = right_answers(attempt)
        first_key = str(attempt.questions[0]["id"])
        clock.move_to(start + timezone.timedelta(minutes=10) + TIME_LIMIT_GRACE)
        attempt_save_answers(attempt=attempt, answers={first_key: answers[first_key]})  # last moment of grace
        clock.move_to(start + timezone.timedelta(minutes=10) + TIME_LIMIT_GRACE + timezone.timedelta(seconds=1))
        with pytest.raises(TimeLimitExceeded, match="time limit"):
            attempt_save_answers(attempt=attempt, answers=answers)
        with pytest.raises(TimeLimitExceeded):
            attempt_submit(attempt=attempt, answers=answers)
        attempt.refresh_from_db()
        assert attempt.status == Attempt.Status.IN_PROGRESS
        # Starting again closes the expired attempt on what was saved in time, then draws anew.
        nxt = attempt_start(person=person, quiz=quiz, context="")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.timed_out is True
    assert attempt.correct_count == 1
    assert nxt.pk != attempt.pk and nxt.number == 2


def test_expired_attempt_is_graded_even_when_no_attempts_are_left(make_quiz, person):
    quiz = make_quiz(questions=2, time_limit_minutes=5, max_attempts=1)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6)), pytest.raises(AttemptLimitReached):
        attempt_start(person=person, quiz=quiz, context="")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed is False


def test_best_attempt_prefers_a_pass_then_the_highest_score(make_quiz, person, right_answers):
    quiz = make_quiz(questions=5, pass_mark_percent=80)
    made = []
    for right in [3, 2]:
        attempt = attempt_start(person=person, quiz=quiz, context="")
        made.append(attempt_submit(attempt=attempt, answers=right_answers(attempt, right)))
    assert best_attempt(person=person, quiz=quiz, context="") == made[0]
    # No attempt follows a pass, so the pass is the last one; it counts over a fail.
    attempt = attempt_start(person=person, quiz=quiz, context="")
    made.append(attempt_submit(attempt=attempt, answers=right_answers(attempt, 4)))
    assert best_attempt(person=person, quiz=quiz, context="") == made[2]


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil", "relative/path"]
)
def test_return_url_must_be_a_local_path(make_quiz, person, url):
    quiz = make_quiz(questions=1)
    with pytest.raises(ValidationError, match="path on this site"):
        attempt_start(person=person, quiz=quiz, context="", return_url=url)
    assert not Attempt.objects.exists()


def test_local_return_url_is_kept(make_quiz, person):
    quiz = make_quiz(questions=1)
    attempt = attempt_start(person=person, quiz=quiz, context="", return_url="/training/module-1/")
    assert attempt.return_url == "/training/module-1/"


def test_unpublished_banks_are_not_drawn_from(make_quiz, person):
    quiz = make_quiz(questions=2)
    bank = quiz.banks.get()
    bank.unpublish()
    from quizzes.services import QuizUnavailable

    with pytest.raises(QuizUnavailable):
        attempt_start(person=person, quiz=quiz, context="")


def test_submission_query_count_does_not_grow_with_questions(make_quiz, make_person, right_answers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for count in (5, 20):
        quiz = make_quiz(questions=count, slug=f"qc{count}")
        attempt = attempt_start(person=make_person(), quiz=quiz, context="")
        answers = right_answers(attempt)
        with CaptureQueriesContext(connection) as captured:
            attempt_submit(attempt=attempt, answers=answers)
        assert attempt.__class__.objects.get(pk=attempt.pk).correct_count == count
        counts[count] = len(captured)
    # Lock and load, update, still-there check, one bulk insert, audit entry (3) and savepoints.
    assert counts[5] == counts[20] <= 11, counts
