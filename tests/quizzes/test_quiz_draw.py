"""Fairness of the draw: every question can come up, none twice in one attempt."""

import random
from collections import Counter

import pytest

from quizzes.models import Question
from quizzes.services import attempt_start, draw_questions

pytestmark = pytest.mark.django_db


def test_two_thousand_seeded_draws_cover_the_bank_without_repeats(make_quiz):
    quiz = make_quiz(questions=5, bank_size=20)
    bank_ids = set(Question.objects.values_list("pk", flat=True))
    assert len(bank_ids) == 20
    rng = random.Random(20260401)
    seen = Counter()
    for _ in range(2000):
        drawn = [q["id"] for q in draw_questions(quiz=quiz, rng=rng)]
        assert len(drawn) == 5
        assert len(set(drawn)) == 5, "a question was drawn twice in one attempt"
        assert set(drawn) <= bank_ids
        seen.update(drawn)
    assert set(seen) == bank_ids, "some question was never drawn"
    # Each question is expected 2000 * 5 / 20 = 500 times; a fair draw stays well inside ±20%.
    assert min(seen.values()) > 400 and max(seen.values()) < 600, seen


def test_shuffled_choices_are_frozen_in_the_attempt(make_quiz, person):
    quiz = make_quiz(questions=5, shuffle_choices=True)
    attempt = attempt_start(person=person, quiz=quiz, context="", rng=random.Random(3))
    orders = [[c["text"] for c in q["choices"]] for q in attempt.questions]
    # With 5 questions of 3 choices, a seeded shuffle leaves at least one out of authoring order.
    assert any(not order[0].startswith("right answer") for order in orders)
    reloaded = attempt_start(person=person, quiz=quiz, context="", rng=random.Random(99))
    assert [[c["text"] for c in q["choices"]] for q in reloaded.questions] == orders


def test_unshuffled_choices_keep_the_authoring_order(make_quiz, person):
    quiz = make_quiz(questions=3, shuffle_choices=False)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    for q in attempt.questions:
        assert q["choices"][0]["text"].startswith("right answer")


def test_draw_takes_what_the_pool_has_when_the_quiz_asks_for_more(make_quiz, person):
    quiz = make_quiz(questions=10, bank_size=4)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    assert sorted(attempt.question_ids()) == sorted(Question.objects.values_list("pk", flat=True))
