"""Compliance editors edit banks and quizzes in the Wagtail admin; drafts are not drawn until published."""

import pytest
from django.urls import reverse

from people.roles import COMPLIANCE_EDITORS
from quizzes.models import Question, QuestionBank
from quizzes.services import attempt_start

pytestmark = pytest.mark.django_db


def test_compliance_editors_hold_the_snippet_permissions(mfa_user):
    editor = mfa_user(COMPLIANCE_EDITORS)
    for perm in (
        "add_questionbank",
        "change_questionbank",
        "delete_questionbank",
        "publish_questionbank",
        "add_quiz",
        "change_quiz",
        "delete_quiz",
    ):
        assert editor.has_perm(f"quizzes.{perm}"), perm
    assert editor.has_perm("wagtailadmin.access_admin")


def test_editor_reaches_the_bank_and_quiz_screens_and_an_employee_does_not(mfa_user, make_person, client, make_quiz):
    quiz = make_quiz(questions=2)
    bank = quiz.banks.get()
    editor = mfa_user(COMPLIANCE_EDITORS)
    client.force_login(editor)
    for url in (
        reverse("wagtailsnippets_quizzes_questionbank:list"),
        reverse("wagtailsnippets_quizzes_questionbank:list") + "?q=bank",
        reverse("wagtailsnippets_quizzes_questionbank:add"),
        reverse("wagtailsnippets_quizzes_questionbank:edit", args=[bank.pk]),
        reverse("wagtailsnippets_quizzes_questionbank:history", args=[bank.pk]),
        reverse("wagtailsnippets_quizzes_quiz:list"),
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(make_person())
    response = client.get(reverse("wagtailsnippets_quizzes_questionbank:list"))
    assert response.status_code in (302, 403)


def test_a_draft_edit_is_not_drawn_until_it_is_published(make_quiz, person):
    quiz = make_quiz(questions=1, bank_size=1)
    bank = QuestionBank.objects.get()
    question = bank.questions.get()
    question.text = "DRAFT TEXT"
    bank.questions = [question]
    bank.save_revision()  # a draft: the live content stays as it was
    assert bank.has_unpublished_changes
    attempt = attempt_start(person=person, quiz=quiz, context="draft")
    assert attempt.questions[0]["text"] != "DRAFT TEXT"
    bank.get_latest_revision().publish()
    assert Question.objects.get(pk=question.pk).text == "DRAFT TEXT"  # same question id after publishing
    attempt_start(person=person, quiz=quiz, context="after")
    assert attempt_start(person=person, quiz=quiz, context="after").questions[0]["text"] == "DRAFT TEXT"


def test_question_validation_explains_what_is_wrong(db):
    from django.core.exceptions import ValidationError

    from quizzes.services import question_bank_publish

    bad = [
        (
            {"kind": "single", "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]},
            "exactly one",
        ),
        ({"kind": "multiple", "choices": [{"text": "a"}, {"text": "b"}]}, "at least one"),
        ({"kind": "single", "choices": [{"text": "a", "correct": True}]}, "at least two"),
        (
            {"kind": "true_false", "choices": [{"text": "a", "correct": True}, {"text": "b"}, {"text": "c"}]},
            "exactly two",
        ),
        ({"kind": "scenario", "choices": [{"text": "a", "correct": True}, {"text": "b"}]}, "situation"),
    ]
    for spec, message in bad:
        with pytest.raises(ValidationError, match=message):
            question_bank_publish(slug="bad", title="bad", questions=[{"text": "t", "explanation": "e", **spec}])
    assert not QuestionBank.objects.exists()
