"""A case page lists the quiz questions about the case (contributed by quizzes through a hook)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebook.models import CaseIndexPage, CaseStudyPage
from quizzes import case_panel
from quizzes.models import Question, QuestionBank
from quizzes.services import question_bank_publish, quiz_configure

from .conftest import publish
from .test_index import add_case

HEADING = "この事例に関する確認テストの問題"


@pytest.fixture
def index(home):
    return publish(home, CaseIndexPage(title="事例集", slug="casebook"))


@pytest.fixture
def case(index):
    return add_case(index, 1, departments=["sales"], causes=["opportunity"])


def spec(text: str, *, case=None, kind: str = "single", situation: str = "") -> dict:
    return {
        "kind": kind,
        "situation": situation,
        "text": text,
        "choices": [
            {"text": f"RIGHT-CHOICE {text}", "correct": True},
            {"text": f"WRONG-CHOICE {text}", "correct": False},
        ],
        "explanation": f"<p>EXPLANATION {text}</p>",
        "case_page_id": case.pk if case else None,
    }


def section(client, page) -> str | None:
    """The case page's quiz-question section, or None when the page has none."""
    response = client.get(page.url)
    assert response.status_code == 200
    match = re.search(r'<section class="related case-quiz-panel".*?</section>', response.content.decode(), re.S)
    return match.group(0) if match else None


def test_lists_questions_of_a_published_bank_that_link_the_case_with_their_kind_and_quizzes(
    client, employee, case, index
):
    other = add_case(index, 2, departments=["sales"], causes=["motivation"])
    question_bank_publish(
        slug="sales",
        title="営業窓口",
        questions=[
            spec("端末で調べますか。", case=case, kind="scenario", situation="窓口でお客さまが急いでいます。"),
            spec("別の事例の問題", case=other),
            spec("事例のない問題"),
        ],
    )
    quiz_configure(slug="sales-quiz", title="営業窓口 確認テスト", bank_slugs=["sales"])
    client.force_login(employee)

    html = section(client, case)

    assert HEADING in html
    # The situation, then the question, escaped line by line (in an English page each line would
    # also be marked lang="ja"; this page is Japanese already).
    assert "窓口でお客さまが急いでいます。<br>端末で調べますか。" in html
    assert '<span class="tag">シナリオ</span>' in html
    assert "出題される確認テスト" in html and "営業窓口 確認テスト" in html
    assert "別の事例の問題" not in html and "事例のない問題" not in html


def test_never_shows_choices_correct_marks_or_explanations(client, employee, case):
    question_bank_publish(slug="b", title="b", questions=[spec("問題A", case=case), spec("問題B", case=case)])
    client.force_login(employee)

    page_html = client.get(case.url).content.decode()

    assert "問題A" in section(client, case) and "問題B" in page_html
    assert "RIGHT-CHOICE" not in page_html
    assert "WRONG-CHOICE" not in page_html
    assert "EXPLANATION" not in page_html
    assert "is_correct" not in page_html


def test_questions_only_in_a_draft_or_an_unpublished_bank_are_not_shown(client, employee, case):
    # A bank saved as a draft and never published (what the admin's "Save draft" does on create).
    draft = QuestionBank(slug="draft", title="draft", live=False)
    draft.questions = [
        Question(
            text="DRAFT-ONLY",
            choices=[("choice", {"text": "a", "is_correct": True}), ("choice", {"text": "b", "is_correct": False})],
            explanation="<p>e</p>",
            case_page_id=case.pk,
        )
    ]
    draft.save()
    draft.save_revision()
    # A live bank with an unpublished edit: readers see the live wording, not the draft's.
    live = question_bank_publish(slug="live", title="live", questions=[spec("LIVE-WORDING", case=case)])
    edited = live.questions.get()
    edited.text = "EDITED-IN-DRAFT"
    live.questions = [edited]
    live.save_revision()
    # A bank that was published and then unpublished.
    gone = question_bank_publish(slug="gone", title="gone", questions=[spec("UNPUBLISHED-BANK", case=case)])
    gone.unpublish()
    client.force_login(employee)

    html = section(client, case)

    assert "LIVE-WORDING" in html
    assert "DRAFT-ONLY" not in html
    assert "EDITED-IN-DRAFT" not in html
    assert "UNPUBLISHED-BANK" not in html


def test_a_case_without_questions_has_no_section(client, employee, case, index):
    other = add_case(index, 2, departments=["sales"], causes=["motivation"])
    question_bank_publish(slug="b", title="b", questions=[spec("ほかの事例の問題", case=other)])
    client.force_login(employee)

    assert section(client, case) is None
    assert HEADING not in client.get(case.url).content.decode()
    assert section(client, other) is not None


def test_query_count_does_not_grow_with_questions_banks_or_quizzes(client, employee, case):
    client.force_login(employee)

    def measure() -> int:
        for _ in range(2):  # warm the caches: site root paths, content types, cached fragments
            client.get(case.url)
        with CaptureQueriesContext(connection) as queries:
            assert section(client, case) is not None
        assert not any("quizzes_" in q["sql"] for q in queries.captured_queries)  # the panel is cached
        case_panel.case_panels_changed()
        with CaptureQueriesContext(connection) as queries:
            html = section(client, case)
        assert html is not None
        # Rendered afresh, the section costs two queries: the questions with their banks, and the banks' quizzes.
        assert sum("quizzes_" in q["sql"] for q in queries.captured_queries) == 2
        return len(queries)

    question_bank_publish(slug="b0", title="b0", questions=[spec("Q0", case=case)])
    quiz_configure(slug="z0", title="Z0", bank_slugs=["b0"])
    small = measure()
    for n in range(1, 4):
        question_bank_publish(slug=f"b{n}", title=f"b{n}", questions=[spec(f"Q{n}-{i}", case=case) for i in range(5)])
        quiz_configure(slug=f"z{n}", title=f"Z{n}", bank_slugs=[f"b{n}", "b0"])
    large = measure()

    assert large == small
    html = section(client, case)
    assert html.count("<li>") == 16 and html.count("Z0") == 1 and html.count("Z1") == 2


def test_every_demo_case_page_shows_questions_from_the_demo_quizzes(client, employee, demo_casebook):
    import io

    from quizzes import demo as quiz_demo

    quiz_demo.load(io.StringIO())
    client.force_login(employee)

    for page in CaseStudyPage.objects.live():
        html = section(client, page)
        assert html is not None, page.slug
        assert "確認テスト" in html and "<li>" in html, page.slug


def test_the_panel_is_read_once_and_follows_each_bank_and_quiz_change(client, employee, case):
    bank = question_bank_publish(slug="b", title="b", questions=[spec("最初の問題", case=case)])
    client.force_login(employee)
    assert "最初の問題" in section(client, case)
    with CaptureQueriesContext(connection) as queries:
        assert "最初の問題" in section(client, case)
    assert not any("quizzes_" in q["sql"] for q in queries.captured_queries)

    question_bank_publish(slug="b", title="b", questions=[spec("最初の問題", case=case), spec("追加の問題", case=case)])
    assert "追加の問題" in section(client, case)
    quiz_configure(slug="q", title="新しい確認テスト", bank_slugs=["b"])
    assert "新しい確認テスト" in section(client, case)
    QuestionBank.objects.get(pk=bank.pk).unpublish()
    assert section(client, case) is None
