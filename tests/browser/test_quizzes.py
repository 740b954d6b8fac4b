"""A person takes a quiz by keyboard alone: fails, reads the explanations, retakes (a new draw) and passes."""

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)

ACTIVE = """() => {
  const e = document.activeElement;
  const form = e.closest ? e.closest("form") : null;
  return {
    tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "",
    label: e.labels && e.labels[0] ? e.labels[0].textContent.trim() : "",
    checked: !!e.checked, form: form ? form.getAttribute("action") || "" : "",
    outline: getComputedStyle(e).outlineStyle,
  };
}"""

QUESTIONS = """() => Array.from(document.querySelectorAll("fieldset.question")).map(f => ({
  legend: f.querySelector("legend").textContent.trim(),
  name: f.querySelector("input").name,
  labels: Array.from(f.querySelectorAll("label")).map(l => l.textContent.trim()),
}))"""


def _bank():
    from quizzes.demo import BANKS

    return next(b for b in BANKS if b["slug"] == "conduct-basics")["questions"]


def _wanted(page, *, right: bool) -> dict[str, set[str]]:
    """The labels to choose per question: the correct ones, or one wrong one, by the demo content."""
    wanted = {}
    for shown in page.evaluate(QUESTIONS):
        spec = next(
            s
            for s in _bank()
            if s["text"] in shown["legend"] and {c["text"] for c in s["choices"]} == set(shown["labels"])
        )
        correct = {c["text"] for c in spec["choices"] if c["correct"]}
        wrong = [c["text"] for c in spec["choices"] if not c["correct"]]
        wanted[shown["name"]] = correct if right else {wrong[0]}
    return wanted


def _answer_and_submit_by_keyboard(page, wanted: dict[str, set[str]]) -> None:
    done, focus_seen = set(), False
    for _ in range(400):
        page.keyboard.press("Tab")
        el = page.evaluate(ACTIVE)
        if el["type"] == "radio" and el["name"] in wanted and el["name"] not in done:
            focus_seen = focus_seen or el["outline"] != "none"
            for _ in range(10):
                if el["label"] in wanted[el["name"]]:
                    if not el["checked"]:
                        page.keyboard.press("Space")
                    break
                page.keyboard.press("ArrowDown")  # moves to and selects the next radio of the group
                el = page.evaluate(ACTIVE)
            done.add(el["name"])
        elif el["type"] == "checkbox" and el["name"] in wanted:
            if (el["label"] in wanted[el["name"]]) != el["checked"]:
                page.keyboard.press("Space")
            done.add(el["name"])
        elif el["tag"] == "BUTTON" and el["value"] == "submit":
            assert done == set(wanted), "the submit button came before every question"
            assert focus_seen, "keyboard focus on a choice is not visible"
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError("never reached the submit button by Tab")


def _press_retake_by_keyboard(page) -> None:
    for _ in range(200):
        page.keyboard.press("Tab")
        el = page.evaluate(ACTIVE)
        if el["tag"] == "BUTTON" and el["form"].endswith("/retake/"):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError("never reached the retake button by Tab")


def test_keyboard_only_fail_read_explanations_retake_and_pass(page, login, e2e_server):
    path = e2e_server.manage(
        "quiz_start_attempt",
        "--email=sales@example.jp",
        "--quiz=conduct-basics",
        "--context=e2e-keyboard",
        "--return-url=/training/",
    ).strip()
    login(page, "sales@example.jp")
    page.goto(path)
    assert page.locator("fieldset.question").count() == 5
    assert page.locator("fieldset.question legend").count() == 5
    html = page.content()
    assert "is_correct" not in html and "data-correct" not in html
    page.screenshot(path=f"{SHOTS}/quiz-attempt.png", full_page=True)

    _answer_and_submit_by_keyboard(page, _wanted(page, right=False))
    assert page.url.endswith(path)
    assert page.locator(".score-fail").count() == 1
    assert page.locator(".review-wrong").count() == 5
    assert page.locator(".review-wrong .explanation").count() == 5
    case_links = page.locator(".further-reading a[href*='/casebook/']")
    rule_links = page.locator(".further-reading a[href*='/rules/']")
    assert case_links.count() >= 1 and rule_links.count() >= 1
    for href in {case_links.first.get_attribute("href"), rule_links.first.get_attribute("href")}:
        assert page.request.get(href).status == 200, href
    page.screenshot(path=f"{SHOTS}/quiz-failed.png", full_page=True)

    _press_retake_by_keyboard(page)
    assert "/quizzes/attempts/" in page.url and not page.url.endswith(path), "retake did not start a new attempt"
    assert page.locator("fieldset.question input:checked").count() == 0
    _answer_and_submit_by_keyboard(page, _wanted(page, right=True))
    assert page.locator(".score-pass").count() == 1
    assert page.locator(".review-wrong").count() == 0
    assert page.locator("a[href='/training/']").count() >= 1
    page.screenshot(path=f"{SHOTS}/quiz-passed.png", full_page=True)


def _start(e2e_server, context_key: str) -> str:
    return e2e_server.manage(
        "quiz_start_attempt", "--email=sales@example.jp", "--quiz=conduct-basics", f"--context={context_key}"
    ).strip()


def _watch_failures(page) -> list[str]:
    """Every response of 400 or above the page receives (documents, scripts, fetches)."""
    failures: list[str] = []

    def note(response):
        if response.status >= 400:
            failures.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", note)
    return failures


def _checked(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll("fieldset.question input:checked"))
        .map(i => [i.name, i.value]))"""
    )


def _autosave(page, path: str, click) -> int:
    """Do `click`, wait for the background save it causes, and return its status."""
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        click()
    response = saved.value
    response.finished()
    assert response.url.endswith(path), f"the autosave went to {response.url}"
    return response.status


def test_autosave_keeps_a_changed_answer_across_a_reload(page, login, e2e_server):
    path = _start(e2e_server, "e2e-autosave")
    login(page, "sales@example.jp")
    failures = _watch_failures(page)
    page.goto(path)
    # The draw is random and a question may have only two choices: take the second question's last one.
    second_choice = page.locator("fieldset.question").nth(1).locator("input").last
    assert _autosave(page, path, lambda: second_choice.check()) == 200
    page.locator("[data-autosave-status]:not(:empty)").wait_for()
    assert page.locator("[data-autosave-status]").inner_text() == "回答を保存しました。"
    value = second_choice.get_attribute("value")
    page.reload()
    assert page.locator(f"fieldset.question input[value='{value}']").is_checked(), "the autosaved answer was lost"
    assert failures == [], failures


def test_a_stale_tab_cannot_overwrite_the_answers_saved_in_another(context, page, login, e2e_server):
    """Tab A is opened; tab B answers everything and saves; tab A ticks one answer and saves: refused."""
    path = _start(e2e_server, "e2e-two-tabs")
    login(page, "sales@example.jp")
    tab_a = page
    tab_a.goto(path)
    tab_b = context.new_page()
    tab_b.goto(path)
    for fieldset in tab_b.locator("fieldset.question").all():
        assert _autosave(tab_b, path, lambda f=fieldset: f.locator("input").first.check()) == 200
    with tab_b.expect_navigation():
        tab_b.locator("button[value=save]").click()
    saved_in_b = _checked(tab_b)
    assert len(saved_in_b) == 5
    tab_b.screenshot(path=f"{SHOTS}/quiz-tab-b-saved.png", full_page=True)

    last = tab_a.locator("fieldset.question").last.locator("input").last
    assert _autosave(tab_a, path, lambda: last.check()) == 409
    tab_a.locator("[data-autosave-status]:not(:empty)").wait_for()
    assert "古くなっています" in tab_a.locator("[data-autosave-status]").inner_text()
    with tab_a.expect_navigation():
        tab_a.locator("button[value=save]").click()
    assert "古くなっています" in tab_a.locator(".messages").inner_text()
    tab_a.screenshot(path=f"{SHOTS}/quiz-tab-a-refused.png", full_page=True)
    assert _checked(tab_a) == saved_in_b, "the stale tab changed the saved answers"
    tab_b.reload()
    assert _checked(tab_b) == saved_in_b
