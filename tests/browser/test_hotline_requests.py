"""Issue 14 acceptance 3: every request a hotline page makes is under /hotline/ and carries no cookie.

An employee logs in to the portal (so the browser holds their session cookie), then reports and
follows the report up on the hotline, served under its own host name as docs/deployment.md
requires (a browser attaches a host's cookies to every request to that host, so on the portal's
own host the first request to /hotline/ would carry the session cookie whatever the server does).
Every request of intake, receipt and follow-up is recorded: documents, stylesheets, the favicon.
"""

import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

HANDLER_PASSPHRASE_FALLBACK = "tsukimi-dango-kaede-momiji-2026-hotline"


def _ensure_receiving_handler(e2e_server, page, url):
    """The demo's handler has a key pair; if this demo gives them none yet, set one up as they would."""
    page.goto(url)
    if page.locator("form.hotline-form").count():
        return
    e2e_server.manage(
        "shell",
        "-c",
        "from people.models import Person; from whistleblowing.handlers import handler_key_setup; "
        "handler_key_setup(person=Person.objects.get(email='handler@example.jp'), "
        f"passphrase='{HANDLER_PASSPHRASE_FALLBACK}')",
    )


def test_intake_receipt_and_followup_stay_under_hotline_without_cookies(browser, e2e_server, login):
    context = browser.new_context(base_url=e2e_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        login(page, "sales@example.jp")
        assert any(cookie["name"] == "sessionid" for cookie in context.cookies()), "the employee is logged in"
        hotline = e2e_server.url.replace("127.0.0.1", "localhost")
        _ensure_receiving_handler(e2e_server, page, f"{hotline}/hotline/")

        requests = []
        context.on("request", lambda request: requests.append(request))

        page.goto(f"{hotline}/hotline/")
        page.check("input[name=category][value=conduct_rules]")
        page.fill("textarea[name=what]", "共用カウンターの端末で他社の顧客情報を照会していた。")
        page.fill("input[name=when]", "2026年11月")
        page.locator("form.hotline-form button[type=submit]").click()
        page.wait_for_load_state("load")
        code = page.locator(".receipt-code").get_attribute("data-receipt")
        assert code and re.fullmatch(r"[A-HJ-NP-Z2-9]{20}", code), page.content()

        page.goto(f"{hotline}/hotline/followup/")
        page.fill("input[name=code]", code)
        page.locator("form.hotline-form button[type=submit]").click()
        page.wait_for_load_state("load")
        page.fill("textarea[name=text]", "端末は2番です。")
        page.locator("form.hotline-form button[value=reply]").click()
        page.wait_for_load_state("load")
        assert page.locator("textarea[name=text]").count() == 1, page.content()
        page.wait_for_timeout(500)  # a late favicon request is recorded too

        paths = [urlsplit(request.url).path for request in requests]
        kinds = {request.resource_type for request in requests}
        assert {"document", "stylesheet"} <= kinds, kinds
        assert "/hotline/static/css/portal.css" in paths and "/hotline/static/whistleblowing/hotline.css" in paths
        outside = [request.url for request in requests if not urlsplit(request.url).path.startswith("/hotline/")]
        assert outside == []
        with_cookie = [request.url for request in requests if "cookie" in request.all_headers()]
        assert with_cookie == []
    finally:
        context.close()
