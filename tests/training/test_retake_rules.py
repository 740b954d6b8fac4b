"""Retake rules (attempts and the wait between them) are the quiz's own and are shown on the module page
before the person starts; while the wait runs, the page says from when instead of offering the quiz."""

import datetime as dt

import pytest
import time_machine

from quizzes.models import Attempt
from quizzes.services import attempt_start, attempt_submit
from training import services
from training.models import Assignment

from .conftest import answers, jst


@pytest.fixture
def assignment(make_module, make_person, make_quiz):
    module = make_module(
        "basics",
        everyone=True,
        quiz=make_quiz(questions=4, max_attempts=3, retake_wait_minutes=60),
        lesson_count=1,
    )
    person = make_person()
    with time_machine.travel(jst(2026, 6, 1, 9, 0), tick=False):
        services.assignments_sync()
    return Assignment.objects.get(person=person, module=module)


def test_the_module_page_shows_the_retake_rules_before_starting(client, assignment):
    client.force_login(assignment.person)
    html = client.get(assignment.module.url).content.decode()
    assert "再受験までの待ち時間" in html and "60分" in html
    assert "残り3回（全3回）" in html
    assert f'action="{assignment.module.url}quiz/"' in html


def test_while_the_wait_runs_the_module_page_says_from_when_and_offers_no_attempt(
    client, assignment, django_capture_on_commit_callbacks
):
    client.force_login(assignment.person)
    quiz_url = f"{assignment.module.url}quiz/"
    with time_machine.travel(jst(2026, 6, 2, 10, 0), tick=False) as clock:
        attempt = attempt_start(person=assignment.person, quiz=assignment.module.quiz, context=assignment.quiz_context)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(attempt=attempt, answers=answers(attempt, right=False))
        clock.move_to(jst(2026, 6, 2, 10, 30))
        html = client.get(assignment.module.url).content.decode()
        assert "次の受験は 2026-06-02 11:00 から" in html
        assert f'action="{quiz_url}"' not in html
        assert "残り2回（全3回）" in html
        # Posting the module's quiz form anyway draws nothing, and the person is told from when.
        refused = client.post(quiz_url, follow=True).content.decode()
        assert "次の受験は 2026-06-02 11:00 から始められます" in refused
        assert Attempt.objects.filter(person=assignment.person).count() == 1
        clock.move_to(jst(2026, 6, 2, 11, 0) + dt.timedelta(seconds=1))
        html = client.get(assignment.module.url).content.decode()
        assert "次の受験は" not in html and f'action="{quiz_url}"' in html
