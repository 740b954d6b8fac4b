"""Quizzes that cannot be gamed (issue 15): stale pages, attempts after a pass, retake rules,
review options, blank submissions, harvesting answers, answers after the time limit."""

import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from quizzes import selectors
from quizzes.models import Attempt, Quiz
from quizzes.services import (
    AlreadyPassed,
    RetakeTooSoon,
    StaleAttempt,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
)

pytestmark = pytest.mark.django_db


def _sequence(attempt) -> int:
    return Attempt.objects.get(pk=attempt.pk).sequence


def _form(answers, *, sequence, **extra):
    data = {f"q-{k}": v for k, v in answers.items()}
    data["sequence"] = str(sequence)
    data.update(extra)
    return data


def _blank(attempt) -> dict:
    return {str(q["id"]): [] for q in attempt.questions}


# --- 1. Sequence check -------------------------------------------------------------------------


def test_a_stale_tab_cannot_overwrite_answers_saved_in_another(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=4), context="")
    client = client_of(person)
    url = attempt.get_absolute_url()
    tab_a_sequence = _sequence(attempt)  # tab A loaded the page
    page_b = client.get(url).content.decode()
    assert f'name="sequence" value="{tab_a_sequence}"' in page_b
    all_right = right_answers(attempt)
    client.post(url, _form(all_right, sequence=tab_a_sequence, action="save"))  # tab B saves everything
    first_key = str(attempt.questions[0]["id"])
    wrong = {first_key: [next(c["id"] for c in attempt.questions[0]["choices"] if not c["correct"])]}
    one_ticked = {**_blank(attempt), **wrong}
    response = client.post(url, _form(one_ticked, sequence=tab_a_sequence, action="save"), follow=True)
    html = response.content.decode()
    assert "out of date" in html or "古く" in html
    attempt.refresh_from_db()
    assert attempt.answers == all_right
    # A stale submit is refused too, and grades nothing.
    response = client.post(url, _form(one_ticked, sequence=tab_a_sequence, action="submit"), follow=True)
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == all_right


def test_autosave_returns_the_next_sequence_and_refuses_a_stale_one(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2), context="")
    client = client_of(person)
    start = _sequence(attempt)
    response = client.post(
        attempt.get_absolute_url(),
        _form(right_answers(attempt, 1), sequence=start, action="save"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    body = json.loads(response.content)
    assert response.status_code == 200 and body["saved"] is True and body["sequence"] == start + 1
    response = client.post(
        attempt.get_absolute_url(),
        _form(right_answers(attempt), sequence=start, action="save"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 409
    body = json.loads(response.content)
    assert body["saved"] is False and body["stale"] is True and body["error"]
    attempt.refresh_from_db()
    assert attempt.answers == right_answers(attempt, 1)


def test_a_form_without_a_sequence_is_refused(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2), context="")
    data = _form(right_answers(attempt), sequence=0, action="submit")
    del data["sequence"]
    client_of(person).post(attempt.get_absolute_url(), data)
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == {}


def test_service_refuses_a_stale_sequence_and_changes_nothing(make_quiz, person, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2), context="")
    saved = attempt_save_answers(attempt=attempt, answers=right_answers(attempt, 1), sequence=attempt.sequence)
    assert saved.sequence == attempt.sequence + 1
    with pytest.raises(StaleAttempt):
        attempt_save_answers(attempt=attempt, answers=right_answers(attempt), sequence=attempt.sequence)
    with pytest.raises(StaleAttempt):
        attempt_submit(attempt=attempt, answers=right_answers(attempt), sequence=attempt.sequence)
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == right_answers(attempt, 1)


# --- 2. One open or passed attempt; retake rules ------------------------------------------------


def test_no_new_attempt_after_a_pass(make_quiz, person, client_of, right_answers):
    quiz = make_quiz(questions=2)
    first = attempt_start(person=person, quiz=quiz, context="assignment:1")
    attempt_submit(attempt=first, answers=right_answers(first, 0))
    second = attempt_start(person=person, quiz=quiz, context="assignment:1")
    attempt_submit(attempt=second, answers=right_answers(second))
    with pytest.raises(AlreadyPassed):
        attempt_start(person=person, quiz=quiz, context="assignment:1")
    # Posting the retake form of the earlier, failed attempt again draws nothing either.
    response = client_of(person).post(reverse("quizzes:attempt_retake", args=[first.public_id]), follow=True)
    assert "already passed" in response.content.decode() or "合格済み" in response.content.decode()
    assert Attempt.objects.filter(context="assignment:1").count() == 2
    assert selectors.attempts_left(quiz=quiz, person=person, context="assignment:1") == 0


def test_retake_waits_the_quizs_interval_and_says_from_when(make_quiz, person, client_of, right_answers):
    quiz = make_quiz(questions=2, max_attempts=3, retake_wait_minutes=30)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first = attempt_start(person=person, quiz=quiz, context="a")
        attempt_submit(attempt=first, answers=right_answers(first, 0))
        with pytest.raises(RetakeTooSoon):
            attempt_start(person=person, quiz=quiz, context="a")
        html = client_of(person).get(first.get_absolute_url()).content.decode()
        next_time = timezone.localtime(start + timezone.timedelta(minutes=30)).strftime("%H:%M")
        assert next_time in html
        assert reverse("quizzes:attempt_retake", args=[first.public_id]) not in html
        clock.move_to(start + timezone.timedelta(minutes=30, seconds=1))
        assert attempt_start(person=person, quiz=quiz, context="a").number == 2


def test_rules_are_shown_before_starting(make_quiz, person):
    quiz = make_quiz(questions=3, max_attempts=3, retake_wait_minutes=60, time_limit_minutes=20)
    rules = selectors.quiz_rules(quiz=quiz, person=person, context="a")
    assert (rules.attempts_left, rules.max_attempts, rules.retake_wait_minutes, rules.can_start) == (3, 3, 60, True)
    from django.template.loader import render_to_string

    html = render_to_string("quizzes/includes/quiz_rules.html", {"rules": rules})
    assert "3" in html and "60" in html and "20" in html


# --- 3. Review options, confirmation, harvesting ---------------------------------------------


def test_submitting_with_unanswered_questions_asks_for_confirmation(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=3), context="")
    client = client_of(person)
    answers = right_answers(attempt)
    answers[str(attempt.questions[1]["id"])] = []
    response = client.post(attempt.get_absolute_url(), _form(answers, sequence=_sequence(attempt), action="submit"))
    attempt.refresh_from_db()
    assert attempt.is_open, "graded without asking"
    html = client.get(response["Location"]).content.decode()
    assert 'value="submit_unanswered"' in html
    client.post(attempt.get_absolute_url(), _form(answers, sequence=_sequence(attempt), action="submit_unanswered"))
    attempt.refresh_from_db()
    assert not attempt.is_open and attempt.correct_count == 2


def _submit_blank(client, attempt):
    client.post(
        attempt.get_absolute_url(), _form(_blank(attempt), sequence=_sequence(attempt), action="submit_unanswered")
    )
    return client.get(attempt.get_absolute_url()).content.decode()


def test_harvesting_answers_with_blank_submissions_reveals_no_correct_choice(
    make_quiz, person, client_of, right_answers
):
    from reports.selectors import weak_point_rows

    quiz = make_quiz(questions=5, bank_size=6)  # the defaults of a compliance test
    client = client_of(person)
    for _ in range(4):
        attempt = attempt_start(person=person, quiz=quiz, context="assignment:9")
        html = _submit_blank(client, attempt)
        assert "right answer" not in html, "a correct choice was revealed before a pass"
        assert "EXPLANATION-" in html  # which were wrong, with the explanation that teaches
        assert Attempt.objects.get(pk=attempt.pk).answered_count == 0
    assert list(weak_point_rows(cycle="once", unit_ids=None)) == [], "blank attempts count in weak points"
    attempt = attempt_start(person=person, quiz=quiz, context="assignment:9")
    answers = right_answers(attempt, 4)
    client.post(attempt.get_absolute_url(), _form(answers, sequence=_sequence(attempt), action="submit"))
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert "right answer" in html, "once passed, the correct choice is shown"
    rows = list(weak_point_rows(cycle="once", unit_ids=None))
    assert sum(r["answered"] for r in rows) == 5 and sum(r["wrong"] for r in rows) == 1


def test_correct_choice_is_shown_after_the_last_attempt(make_quiz, person, client_of):
    quiz = make_quiz(questions=2, max_attempts=2)
    client = client_of(person)
    first = attempt_start(person=person, quiz=quiz, context="")
    assert "right answer" not in _submit_blank(client, first)
    second = attempt_start(person=person, quiz=quiz, context="")
    assert "right answer" in _submit_blank(client, second)
    assert "right answer" in client.get(first.get_absolute_url()).content.decode()
    assert selectors.failed_out(quiz=quiz, person=person, context="")


@pytest.mark.parametrize(
    ("options", "shows"),
    [
        ({"review_correctness": "never", "review_explanation": "never", "review_correct_choice": "never"}, set()),
        ({"review_correct_choice": "immediately"}, {"tags", "explanation", "correct"}),
        ({"review_explanation": "after_pass"}, {"tags"}),
        ({"review_correctness": "after_pass"}, {"explanation"}),
    ],
)
def test_review_options_decide_what_a_failed_result_shows(make_quiz, person, client_of, options, shows):
    quiz = make_quiz(questions=2, **options)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    html = _submit_blank(client_of(person), attempt)
    assert ("review-wrong" in html) == ("tags" in shows)
    assert ("EXPLANATION-" in html) == ("explanation" in shows)
    assert ("right answer" in html) == ("correct" in shows)


def test_review_defaults(make_quiz):
    quiz = make_quiz(questions=1)
    assert (quiz.review_correctness, quiz.review_explanation, quiz.review_correct_choice) == (
        Quiz.ReviewWhen.IMMEDIATELY,
        Quiz.ReviewWhen.IMMEDIATELY,
        Quiz.ReviewWhen.FINISHED,
    )


# --- 9. Answers after the time limit ----------------------------------------------------------


def _post_late(client, attempt, answers, *, action: str, **kwargs):
    """Post answers to a one-minute attempt five minutes after it started."""
    sequence = _sequence(attempt)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
        return client.post(attempt.get_absolute_url(), _form(answers, sequence=sequence, action=action), **kwargs)


def test_answers_after_the_time_limit_are_stored_as_late_and_not_counted(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2, time_limit_minutes=1), context="")
    response = _post_late(client_of(person), attempt, right_answers(attempt), action="submit", follow=True)
    html = response.content.decode()
    assert "not counted" in html or "採点には含まれません" in html
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.correct_count == 0 and attempt.passed is False
    assert attempt.late_answers == right_answers(attempt) and attempt.late_answers_at is not None
    assert AuditEntry.objects.filter(action="quiz.late_answers_stored", target_id=str(attempt.pk)).count() == 1


def test_late_autosave_is_stored_and_the_person_is_told(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2, time_limit_minutes=1), context="")
    response = _post_late(
        client_of(person), attempt, right_answers(attempt, 1), action="save", HTTP_X_REQUESTED_WITH="fetch"
    )
    body = json.loads(response.content)
    assert body["saved"] is False and body["late"] is True and body["error"]
    attempt.refresh_from_db()
    assert attempt.late_answers == right_answers(attempt, 1) and attempt.correct_count == 0


def test_the_attempt_limit_counts_per_context_so_a_new_round_starts_afresh(make_quiz, person, right_answers):
    from quizzes.services import AttemptLimitReached

    quiz = make_quiz(questions=2, max_attempts=1)
    first = attempt_start(person=person, quiz=quiz, context="assignment:3")
    assert selectors.attempts_left(quiz=quiz, person=person, context="assignment:3") == 0
    assert not selectors.failed_out(quiz=quiz, person=person, context="assignment:3")  # still open
    attempt_submit(attempt=first, answers=right_answers(first, 0))
    assert selectors.failed_out(quiz=quiz, person=person, context="assignment:3")
    with pytest.raises(AttemptLimitReached):
        attempt_start(person=person, quiz=quiz, context="assignment:3")
    # Training's audited reset gives the assignment a new round, which is a new context.
    assert selectors.attempts_left(quiz=quiz, person=person, context="assignment:3:1") == 1
    second = attempt_start(person=person, quiz=quiz, context="assignment:3:1")
    attempt_submit(attempt=second, answers=right_answers(second))
    assert selectors.has_passed(person=person, quiz=quiz, context="assignment:3:1")
    assert selectors.failed_out(quiz=quiz, person=person, context="assignment:3")  # the record stays
