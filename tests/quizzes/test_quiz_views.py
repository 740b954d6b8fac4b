"""Taking an attempt through the pages: ownership, what the page reveals, forged posts, results."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from quizzes.models import Attempt, Quiz
from quizzes.services import attempt_start, question_bank_publish, quiz_configure

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []
        self.fieldsets = 0
        self.legends = 0

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))
        self.fieldsets += tag == "fieldset"
        self.legends += tag == "legend"


@pytest.fixture
def linked_quiz(db, specs):
    root = Site.objects.get(is_default_site=True).root_page
    case = root.add_child(instance=Page(title="八戸営業所の事例", slug="case-hachinohe"))
    rule = root.add_child(instance=Page(title="非公開情報の閲覧禁止", slug="rule-viewing"))
    questions = specs(3)
    for q in questions:
        q["case_page_id"] = case.pk
        q["rule_page_id"] = rule.pk
    question_bank_publish(slug="linked", title="linked", questions=questions)
    return quiz_configure(
        slug="linked", title="Linked quiz", bank_slugs=["linked"], question_count=3, pass_mark_percent=100
    )


def _form(attempt, answers, **extra):
    """What the attempt page posts: the answers and the sequence number it was rendered with."""
    data = {f"q-{k}": v for k, v in answers.items()}
    data["sequence"] = str(Attempt.objects.get(pk=attempt.pk).sequence)
    data.update(extra)
    return data


def test_only_the_owner_sees_an_attempt(make_quiz, person, make_person, client_of):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2), context="")
    other = client_of(make_person())
    assert other.get(attempt.get_absolute_url()).status_code == 404
    assert other.post(attempt.get_absolute_url(), {"action": "submit"}).status_code == 404
    assert other.post(reverse("quizzes:attempt_retake", args=[attempt.public_id])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_open


def test_anonymous_visitors_are_sent_to_log_in(make_quiz, person, client):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=1), context="")
    response = client.get(attempt.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_attempt_page_reveals_no_correctness_or_explanation(make_quiz, person, client_of):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=5), context="")
    response = client_of(person).get(attempt.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "EXPLANATION-" not in html
    assert not re.search(r"correct|is_correct|data-answer|data-right", html, re.IGNORECASE)
    parser = _Inputs()
    parser.feed(html)
    assert parser.fieldsets == parser.legends == 5
    choice_inputs = [i for i in parser.inputs if i.get("name", "").startswith("q-")]
    assert len(choice_inputs) == 15
    for attrs in choice_inputs:
        assert set(attrs) <= {"type", "name", "id", "value", "checked"}
        assert attrs["type"] == "radio"
    # Right and wrong choices are indistinguishable: their values are opaque ids in the frozen order.
    values = [c["id"] for q in attempt.questions for c in q["choices"]]
    assert [i["value"] for i in choice_inputs] == values


def test_save_keeps_answers_across_reloads_without_redrawing(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=3, bank_size=10), context="")
    client = client_of(person)
    answers = right_answers(attempt)
    response = client.post(attempt.get_absolute_url(), _form(attempt, answers, action="save"))
    assert response.status_code == 302
    html = client.get(attempt.get_absolute_url()).content.decode()
    for choice_ids in answers.values():
        assert re.search(rf'value="{choice_ids[0]}"\s+checked', html)
    assert Attempt.objects.get().question_ids() == attempt.question_ids()


def test_autosave_answers_in_json_without_correctness(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2), context="")
    response = client_of(person).post(
        attempt.get_absolute_url(),
        _form(attempt, right_answers(attempt, 1), action="save"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"saved": True, "answered": 2, "total": 2, "sequence": 1}


def test_forged_score_and_correct_fields_have_no_effect(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=4), context="")
    data = _form(
        attempt, right_answers(attempt, 0), action="submit", score="100", score_percent="100", correct="1", passed="1"
    )
    response = client_of(person).post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    graded = Attempt.objects.get()
    assert graded.correct_count == 0 and graded.passed is False


def test_answer_for_a_question_outside_the_attempt_is_rejected_clearly(make_quiz, person, client_of, right_answers):
    quiz = make_quiz(questions=2, bank_size=5)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    outside = next(
        pk for pk in quiz.banks.get().questions.values_list("pk", flat=True) if pk not in attempt.question_ids()
    )
    data = _form(attempt, right_answers(attempt), action="submit")
    data[f"q-{outside}"] = "anything"
    client = client_of(person)
    response = client.post(attempt.get_absolute_url(), data, follow=True)
    assert "not part of this attempt" in response.content.decode() or "含まれていない" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == {}


def test_posting_after_submission_is_rejected_and_the_result_stands(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=2), context="")
    client = client_of(person)
    client.post(attempt.get_absolute_url(), _form(attempt, right_answers(attempt, 0), action="submit"))
    response = client.post(
        attempt.get_absolute_url(), _form(attempt, right_answers(attempt), action="submit"), follow=True
    )
    html = response.content.decode()
    assert "already been submitted" in html or "提出済み" in html
    attempt.refresh_from_db()
    assert attempt.correct_count == 0


def test_result_shows_explanations_and_links_for_wrong_answers_only(linked_quiz, person, client_of, right_answers):
    attempt = attempt_start(person=person, quiz=linked_quiz, context="", return_url="/training/m/")
    client = client_of(person)
    client.post(attempt.get_absolute_url(), _form(attempt, right_answers(attempt, 2), action="submit"))
    html = client.get(attempt.get_absolute_url()).content.decode()
    wrong = attempt.questions[2]
    right = attempt.questions[0]
    assert wrong["explanation"].removeprefix("<p>").removesuffix("</p>") in html
    assert right["explanation"].removeprefix("<p>").removesuffix("</p>") not in html
    assert 'href="/case-hachinohe/"' in html and 'href="/rule-viewing/"' in html
    assert 'href="/training/m/"' in html
    assert reverse("quizzes:attempt_retake", args=[attempt.public_id]) in html


def test_retake_draws_a_new_attempt_in_the_same_context(make_quiz, person, client_of, right_answers):
    attempt = attempt_start(
        person=person, quiz=make_quiz(questions=2, max_attempts=2), context="assignment:5", return_url="/t/"
    )
    client = client_of(person)
    client.post(attempt.get_absolute_url(), _form(attempt, right_answers(attempt, 0), action="submit"))
    response = client.post(reverse("quizzes:attempt_retake", args=[attempt.public_id]))
    new = Attempt.objects.exclude(pk=attempt.pk).get()
    assert response["Location"] == new.get_absolute_url()
    assert (new.context, new.return_url, new.number) == ("assignment:5", "/t/", 2)
    client.post(new.get_absolute_url(), _form(new, right_answers(new, 0), action="submit"))
    html = client.get(new.get_absolute_url()).content.decode()
    assert reverse("quizzes:attempt_retake", args=[new.public_id]) not in html  # no attempts left
    response = client.post(reverse("quizzes:attempt_retake", args=[new.public_id]), follow=True)
    assert Attempt.objects.count() == 2


@pytest.mark.parametrize("policy", [Quiz.ReviewWhen.AFTER_PASS, Quiz.ReviewWhen.NEVER])
def test_explanations_withheld_by_policy(make_quiz, person, client_of, right_answers, policy):
    quiz = make_quiz(questions=2, review_explanation=policy, review_correct_choice=policy)
    attempt = attempt_start(person=person, quiz=quiz, context="")
    client = client_of(person)
    client.post(attempt.get_absolute_url(), _form(attempt, right_answers(attempt, 0), action="submit"))
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert "EXPLANATION-" not in html
    assert "right answer" not in html  # the correct choice is not given away either


def test_late_submission_is_rejected_and_graded_on_saved_answers(make_quiz, person, client_of, right_answers):
    import time_machine
    from django.utils import timezone

    attempt = attempt_start(person=person, quiz=make_quiz(questions=2, time_limit_minutes=1), context="")
    client = client_of(person)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
        response = client.post(
            attempt.get_absolute_url(), _form(attempt, right_answers(attempt), action="submit"), follow=True
        )
    html = response.content.decode()
    assert "time limit" in html.lower() or "制限時間" in html
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.timed_out and attempt.correct_count == 0


def test_a_timed_attempt_shows_its_deadline(make_quiz, person, client_of):
    attempt = attempt_start(person=person, quiz=make_quiz(questions=1, time_limit_minutes=15), context="")
    html = client_of(person).get(attempt.get_absolute_url()).content.decode()
    assert f'datetime="{attempt.deadline_at.astimezone(timezone.get_current_timezone()).isoformat()}"' in html


def test_attempt_and_result_pages_take_the_same_queries_for_5_and_20_questions(
    make_quiz, make_person, client, right_answers
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (5, 20):
        person = make_person()
        attempt = attempt_start(person=person, quiz=make_quiz(questions=size, slug=f"pages{size}"), context="")
        client.force_login(person)
        client.get(attempt.get_absolute_url())  # warm the session and caches
        with CaptureQueriesContext(connection) as take:
            assert client.get(attempt.get_absolute_url()).status_code == 200
        client.post(attempt.get_absolute_url(), _form(attempt, right_answers(attempt, 1), action="submit"))
        with CaptureQueriesContext(connection) as result:
            assert client.get(attempt.get_absolute_url()).status_code == 200
        counts[size] = (len(take), len(result))
    assert counts[5] == counts[20], counts
