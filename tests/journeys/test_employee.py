"""An employee (sales@example.jp) reads a rule, searches, asks the enquiry desk, takes a module and
its quiz (answers saved as they go), gets the certificate and checks it, then reads in English."""

import re
import subprocess

import pytest

from .probes import FIELD_CONTRAST, TRACK_CONTRAST
from .quiz_answers import answer_ids

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sales(open_person):
    """Logged in once for the module, so that any step can also run on its own."""
    person = open_person("employee")
    person.log_in("sales@example.jp")
    return person


def test_reads_a_rule(sales):
    sales.follow(".site-nav a[href='/rules/']", "rules")
    sales.follow("main a[href^='/rules/']", "rule")
    assert sales.page.locator("main h1").count() == 1
    sales.checks.assert_clean()


def _search(sales, words: str, name: str) -> list[str]:
    sales.page.fill("#site-search", words)
    sales.submit("form.header-search button[type=submit]", name)
    return sales.page.locator("main .results .result h2 a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def test_searches_the_way_people_type(sales):
    katakana = _search(sales, "スイッチング", "search")
    assert katakana, "スイッチング finds nothing"
    sales.expect(sales.page.locator("main mark").count() > 0, "search hits do not highlight the words")
    for typed in ("すいっちんぐ", "ｽｲｯﾁﾝｸﾞ"):
        sales.expect(_search(sales, typed, "search") == katakana, f"{typed} does not find what スイッチング finds")
    sales.expect(bool(_search(sales, "閲", "search")), "a one-kanji query (閲) finds nothing")
    sales.checks.assert_clean()


def test_asks_the_enquiry_desk(sales):
    sales.visit("/", "home")
    sales.follow("main a[href='/enquiries/new/']", "enquiry-form")
    sales.page.fill("input[name=subject]", "共用カウンターでの申込書の受け渡し")
    sales.page.fill("textarea[name=body]", "NWと共用のカウンターで、お客さまの申込書を預かってもよいですか。")
    sales.submit("form.enquiry-form button[type=submit]", "enquiry")
    assert re.search(r"/enquiries/\d+/$", sales.page.url), sales.page.url
    assert "共用カウンターでの申込書の受け渡し" in sales.page.locator("main").inner_text()
    sales.checks.assert_clean()


def test_controls_stand_out_from_their_background(sales):
    # Issue 13: the focus ring was 2.15:1 and field borders 2.56:1 against their background; the
    # progress track 1.23:1. WCAG 1.4.11 asks 3:1 of every control's edge and focus indicator.
    page = sales.page
    sales.visit("/enquiries/new/", "enquiry-form")
    subject = page.locator("input[name=subject]")
    page.locator("textarea[name=body]").focus()
    page.keyboard.press("Shift+Tab")  # focus by keyboard, so the ring a keyboard user sees is drawn
    seen = subject.evaluate(FIELD_CONTRAST)
    sales.expect(seen["ringStyle"] != "none", "a field focused by keyboard shows no focus ring")
    sales.expect(seen["ring"] >= 3, f"the focus ring stands {seen['ring']:.2f}:1 against the page")
    sales.expect(min(seen["border"], seen["borderAround"]) >= 3, f"a field's border stands {seen}:1")
    sales.visit("/training/", "my-training")
    tracks = page.locator("main progress, main .progress")
    sales.expect(tracks.count() > 0, "/training/ shows no progress bar")
    for ratio in tracks.evaluate_all(f"els => els.map({TRACK_CONTRAST})"):
        sales.expect(ratio >= 3, f"a progress track stands {ratio:.2f}:1 against the page")
    sales.checks.assert_clean()


def test_module_page_says_what_to_expect(sales):
    sales.follow(".site-nav a[href='/training/']", "my-training")
    sales.follow("main a[href='/training-modules/conduct-basics/']", "module")
    text = sales.page.locator("main").inner_text()
    for pattern, what in (
        (r"\d+\s*問", "how many questions"),
        (r"\d+\s*分", "the estimated minutes or time limit"),
        (r"(残り|あと)\s*\d+\s*回|\d+\s*回まで|残りの受験回数\s*制限なし", "attempts left"),
    ):
        sales.expect(re.search(pattern, text) is not None, f"the module page does not say {what}")
    sales.checks.assert_clean()


def test_reads_the_lessons(sales):
    lessons = sales.page.locator("main a[href*='/lessons/']").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert lessons, "the module page lists no lessons"
    page = sales.page
    for href in lessons:
        sales.visit(href, "lesson")
        button = page.locator(".lesson-end form button[type=submit]")
        if not button.count():
            continue
        # As a person reads: down to the lesson's end, and a few seconds there. The page reports
        # the end in view and the server times it (docs/training.md); a click straight away is refused.
        button.scroll_into_view_if_needed()
        if page.locator("[data-end-url]").count():
            with page.expect_response(lambda r: r.url.endswith("/end/") and r.status == 204, timeout=15_000):
                page.wait_for_timeout(6_000)
        sales.submit(".lesson-end form button[type=submit]", "lesson-read")
        # A refusal leads back to the same lesson's end.
        sales.expect(not page.url.endswith("#lesson-end"), f"the lesson {href} is not counted as read")
    sales.visit("/training-modules/conduct-basics/", "module")
    sales.checks.assert_clean()


def test_takes_the_quiz_and_answers_are_saved_as_they_go(sales):
    page = sales.page
    sales.submit("main form[action$='/quiz/'] button[type=submit]", "quiz")
    attempt_url = page.url
    assert "/quizzes/attempts/" in attempt_url
    wrong = answer_ids(page, right=False)
    with page.expect_response(lambda r: r.request.method == "POST", timeout=10_000) as saved:
        page.check(f"#{wrong[0][0]}")
    sales.expect(saved.value.ok, f"autosave answered HTTP {saved.value.status} at {saved.value.url}")
    page.wait_for_timeout(300)
    status = page.locator("[data-autosave-status]").inner_text()
    sales.expect(status in ("回答を保存しました。", "Answers saved."), f"the live region says {status!r}")
    # Someone who leaves without pressing 回答を保存 finds the answer still there.
    sales.visit(attempt_url, "quiz")
    sales.expect(page.locator(f"#{wrong[0][0]}").is_checked(), "the autosaved answer is gone after a reload")
    for ids in answer_ids(page, right=True):
        for input_id in ids:
            page.check(f"#{input_id}")
    sales.submit("button[name=action][value=submit]", "quiz-passed")
    assert page.locator(".score-pass").count() == 1, page.locator("main").inner_text()[:500]
    sales.expect(
        page.locator("main a[href*='/certificates/']").count() > 0,
        "the pass page gives no next step (no link to the certificate)",
    )
    sales.checks.assert_clean()


def test_downloads_the_certificate_and_verifies_it(sales, tmp_path):
    page = sales.page
    sales.visit("/training-modules/conduct-basics/", "module-completed")
    with page.expect_download() as download:
        page.locator("main a[href*='/certificates/'][href$='/download/']").first.click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    sales.expect(re.search(r"^Tagged:\s+yes", info, re.M) is not None, "the certificate PDF is not tagged")
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    code = re.search(r"/certificates/verify/([A-Z0-9-]+)/", text.replace("\n", ""))
    assert code, text
    sales.visit("/certificates/verify/", "verify-form")
    page.fill("input[name=code]", code.group(1))
    sales.submit("main form button[type=submit], main form input[type=submit]", "verified")
    assert page.locator(".verify-ok").count() == 1, page.locator("main").inner_text()[:500]
    sales.checks.assert_clean()


def test_training_page_lists_certificates_and_past_cycles(sales):
    sales.visit("/training/", "my-training-after")
    main = sales.page.locator("main")
    sales.expect(main.locator("a[href*='/certificates/']").count() > 0, "/training/ shows no list of certificates")
    sales.expect(re.search(r"過去|履歴", main.inner_text()) is not None, "/training/ shows no history of past cycles")
    sales.checks.assert_clean()


def test_reads_in_english(sales):
    sales.visit("/rules/", "rules")
    sales.submit(".lang-switch button[name=language][value=en]", "rules")
    assert sales.page.evaluate("document.documentElement.lang") == "en"
    sales.follow("main a[href^='/rules/']", "rule")
    sales.visit("/training/", "my-training")
    sales.visit("/training-modules/conduct-basics/", "module")
    sales.visit("/casebook/", "casebook")
    sales.follow("main a[href^='/casebook/']", "case")
    sales.visit("/", "home")
    sales.submit(".lang-switch button[name=language][value=ja]", "home")
    sales.checks.assert_clean()
