"""MFA enrolment as a person does it in Chromium, background requests included (issue 13)."""

import time

import pytest

from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _code(secret: str) -> str:
    from people.mfa import totp_code

    return totp_code(secret, int(time.time()) // 30)


def test_first_login_enrols_from_the_qr_page_while_the_browser_fetches_the_favicon(e2e_server, page):
    e2e_server.forget_second_factors("admin@example.jp")  # a first login, whatever ran before on this server
    responses = []
    page.on("response", lambda response: responses.append((response.url, response.status)))
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "admin@example.jp")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/2fa/totp/activate" in page.url  # no password prompt in between
    secret = page.locator("#authenticator_secret").input_value()
    # What Chromium does on its own, and a person reloading the page: the secret must not change.
    favicon = page.request.get("/favicon.ico", max_redirects=0)
    assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("#authenticator_secret").input_value() == secret
    page.fill("input[name=code]", _code(secret))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state("domcontentloaded")
    assert "/2fa/totp/activate" not in page.url
    e2e_server.totp_secrets["admin@example.jp"] = secret  # later tests on this server log admin in
    assert [(url, status) for url, status in responses if status >= 400] == []
