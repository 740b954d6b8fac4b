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


def _bank_form(title: str, *, correct_first: bool = True) -> dict:
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    return nested_form_data(
        {
            "title": title,
            "slug": "admin-bank",
            "description": "",
            "questions": inline_formset(
                [
                    {
                        "kind": "single",
                        "situation": "",
                        "text": "共用カウンターの端末を使ってよいか",
                        "choices": streamfield(
                            [
                                ("choice", {"text": "使わない", "is_correct": correct_first}),
                                ("choice", {"text": "使う", "is_correct": not correct_first}),
                            ]
                        ),
                        "explanation": rich_text("<p>非公開情報は見ない。</p>"),
                        "case_page": "",
                        "rule_page": "",
                    }
                ]
            ),
        }
    )


def test_editor_saves_a_draft_then_publishes_a_bank_in_the_admin(mfa_user, client):
    client.force_login(mfa_user(COMPLIANCE_EDITORS))
    add = reverse("wagtailsnippets_quizzes_questionbank:add")
    response = client.post(add, _bank_form("管理画面のバンク"))
    assert response.status_code == 302, response.content.decode()[:2000]
    bank = QuestionBank.objects.get(slug="admin-bank")
    assert bank.live is False and bank.questions.count() == 1  # saved as a draft
    edit = reverse("wagtailsnippets_quizzes_questionbank:edit", args=[bank.pk])
    data = _bank_form("管理画面のバンク（改訂）")
    data["action-publish"] = "action-publish"
    response = client.post(edit, data)
    assert response.status_code == 302
    bank.refresh_from_db()
    assert bank.live and bank.title == "管理画面のバンク（改訂）"
    assert bank.revisions.count() == 2


def test_admin_refuses_a_question_with_two_correct_answers_for_single_choice(mfa_user, client):
    client.force_login(mfa_user(COMPLIANCE_EDITORS))
    data = _bank_form("不正なバンク")
    data["questions-0-choices-1-value-is_correct"] = "on"
    response = client.post(reverse("wagtailsnippets_quizzes_questionbank:add"), data)
    assert response.status_code == 200
    assert not QuestionBank.objects.exists()
