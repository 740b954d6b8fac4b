"""The demo banks load, validate, link the story's case and rule pages, and load idempotently."""

import io

import pytest
from wagtail.models import Revision

from quizzes import demo
from quizzes.models import Question, QuestionBank, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages_of_the_story(db):
    from casebook import demo as casebook_demo
    from portal import demo as portal_demo

    out = io.StringIO()
    portal_demo.load(out)
    casebook_demo.load(out)


def test_demo_banks_and_quizzes_load_with_links_and_twice_changes_nothing(pages_of_the_story):
    demo.load(io.StringIO())
    assert set(Quiz.objects.values_list("slug", flat=True)) == {
        "conduct-basics",
        "sales-office",
        "call-centre",
        "executives",
        "contractors-temps",
    }
    for bank in QuestionBank.objects.all():
        assert bank.live and 8 <= bank.questions.count() <= 12, bank
    for question in Question.objects.all():
        question.full_clean(exclude=["bank"])
    linked = Question.objects.filter(case_page__isnull=False)
    assert linked.count() >= 25
    assert all(
        q.case_page.url_path.startswith("/portal/casebook/") or "/casebook/" in q.case_page.url_path for q in linked
    )
    assert Question.objects.filter(rule_page__url_path__contains="/rules/").count() >= 35
    revisions = Revision.objects.count()
    ids = sorted(Question.objects.values_list("pk", flat=True))
    out = io.StringIO()
    demo.load(out)
    assert Revision.objects.count() == revisions
    assert sorted(Question.objects.values_list("pk", flat=True)) == ids
    assert "not found" not in out.getvalue()


def test_demo_loads_without_pages_and_leaves_links_empty(db):
    out = io.StringIO()
    demo.load(out)
    assert not Question.objects.filter(case_page__isnull=False).exists()
    assert "links left empty" in out.getvalue()
    assert Quiz.objects.get(slug="conduct-basics").banks.get().slug == "conduct-basics"
