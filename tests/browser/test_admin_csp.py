"""The Wagtail admin works under its Content-Security-Policy and breaks none of it.

Every main admin screen is opened in Chromium as the demo site administrator while every
`securitypolicyviolation` event and every CSP console message is collected; there must be none,
and the page editor's scripts must have run (StreamField "add block" menu, rich-text editor).
"""

import json
import os
import tempfile

import pytest

from tests.csp_policy import ADMIN_CSP, directives

pytestmark = pytest.mark.browser

# Reports each violation on the console, where the test collects it with the page it came from.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.log("CSP-VIOLATION " + JSON.stringify({
    directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
  }));
});
"""


def _ids(e2e_server) -> dict:
    out = e2e_server.manage(
        "shell",
        "-c",
        "import json\n"
        "from portal.models import RulePage\n"
        "from people.models import Unit\n"
        "from quizzes.models import QuestionBank\n"
        "rule = RulePage.objects.get(slug='switching')\n"
        "print(json.dumps({'rule': rule.pk, 'parent': rule.get_parent().pk,"
        " 'bank': QuestionBank.objects.order_by('pk').first().pk,"
        " 'unit': Unit.objects.filter(members__isnull=False).order_by('path').first().pk}))",
    )
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def admin_page(browser, e2e_server, login_with_mfa):
    context = browser.new_context(base_url=e2e_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda m: (
            page.violations.append(f"{page.url}: {m.text}")
            if m.text.startswith("CSP-VIOLATION") or "Content Security Policy" in m.text
            else None
        ),
    )
    login_with_mfa(page, "admin@example.jp")
    yield page
    context.close()


def test_admin_screens_raise_no_csp_violation_and_the_editor_works(admin_page, e2e_server):
    page = admin_page
    ids = _ids(e2e_server)
    screens = [
        "/admin/",
        f"/admin/pages/{ids['parent']}/",
        f"/admin/pages/{ids['rule']}/edit/",
        f"/admin/pages/{ids['rule']}/history/",
        "/admin/snippets/quizzes/questionbank/",
        f"/admin/snippets/quizzes/questionbank/edit/{ids['bank']}/",
        "/admin/images/",
        "/admin/images/multiple/add/",
        "/admin/documents/",
        "/admin/documents/multiple/add/",
        "/admin/sites/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/hr-import/",
        # A unit people belong to: the page says what keeps it instead of offering to delete it.
        f"/admin/unit/delete/{ids['unit']}/",
        "/admin/reports/site-history/",
    ]
    for url in screens:
        response = page.goto(url)
        assert response.status == 200, url
        assert page.url.endswith(url), f"{url} ended at {page.url}"
        assert directives(response.headers["content-security-policy"]) == directives(ADMIN_CSP), url
        page.wait_for_load_state("networkidle")
        if "/unit/delete/" in url:
            assert page.get_by_text("削除できません").is_visible()
            assert page.locator("button.serious").count() == 0
            shots = os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir())
            page.screenshot(path=os.path.join(shots, "admin-unit-delete-refused-ja.png"), full_page=True)
        if url.endswith("/edit/") and "/pages/" in url:
            # The editor's scripts ran: the rich-text editor rendered and "add block" opens its menu.
            assert page.locator(".Draftail-Editor").first.is_visible()
            page.locator("button.c-sf-add-button").first.click()
            assert page.locator(".w-combobox").first.is_visible()
            page.keyboard.press("Escape")
            # The live preview frames our own preview view (frame-src and frame-ancestors 'self').
            with page.expect_response(lambda r: "/preview/" in r.url and r.request.method == "GET") as preview:
                page.locator("[data-side-panel-toggle='preview']").click()
            assert preview.value.status == 200
            heading = page.frame_locator("#w-preview-iframe").locator("h1", has_text="スイッチング")
            heading.first.wait_for(state="attached")
    assert page.violations == []

    # The collector does see a violation when there is one (an image from another origin).
    with page.expect_console_message(lambda m: m.text.startswith("CSP-VIOLATION"), timeout=5_000) as message:
        page.evaluate(
            "() => { const img = new Image(); img.src = 'https://example.com/x.png'; document.body.append(img); }"
        )
    assert "example.com" in message.value.text


def test_admin_csp_allows_no_eval_and_no_other_origin():
    admin = directives(ADMIN_CSP)
    assert "'unsafe-eval'" not in ADMIN_CSP
    assert "http" not in ADMIN_CSP and "*" not in ADMIN_CSP
    assert admin["img-src"] == ["'self'"]
    assert admin["object-src"] == ["'none'"]
