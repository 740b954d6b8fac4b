"""Browser tests: a context and a page per test, and logging in as a person does.

The session fixtures (`e2e_server`, `browser`) live in tests/e2e.py, shared with tests/journeys.
"""

import re
import time

import pytest

from tests.e2e import DEMO_PASSWORD


@pytest.fixture
def context(browser, e2e_server):
    context = browser.new_context(base_url=e2e_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def _submit_login(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture
def login():
    def do_login(page, email: str, password: str = DEMO_PASSWORD):
        _submit_login(page, email, password)
        assert "/accounts/login/" not in page.url, f"login as {email} failed"
        return page

    return do_login


def _totp_code(secret: str, step_offset: int = 0) -> str:
    from people.mfa import totp_code, totp_current_step

    return totp_code(secret, totp_current_step() + step_offset)


@pytest.fixture
def login_with_mfa(e2e_server):
    """Log in a person whose role requires MFA: enrol TOTP the first time, answer it afterwards."""

    def do_login(page, email: str, password: str = DEMO_PASSWORD):
        _submit_login(page, email, password)
        if "/reauthenticate" in page.url:
            # allauth confirms the password once more before a second factor is added.
            page.fill("input[name=password]", password)
            page.locator("input[name=password]").press("Enter")
            page.wait_for_load_state("domcontentloaded")
        if "/2fa/totp/activate" in page.url:
            secret = page.locator("#authenticator_secret").input_value()
            e2e_server.totp_secrets[email] = secret
            page.fill("input[name=code]", _totp_code(secret))
            page.locator("input[name=code]").press("Enter")
            page.wait_for_load_state("domcontentloaded")
        elif "/2fa/authenticate" in page.url:
            secret = e2e_server.totp_secrets[email]
            # A code is good once for its whole window, and the tests sharing this server log the same
            # people in often: try the codes the ±1 step tolerance accepts now, and if every one was
            # used, wait for the next period's fresh code.
            tried = set()
            for _round in range(3):
                for offset in (1, 0, -1):
                    code = _totp_code(secret, offset)
                    if code in tried:
                        continue
                    tried.add(code)
                    page.fill("input[name=code]", code)
                    # Enter submits with the form's first button ("sign in", not "cancel").
                    page.locator("input[name=code]").press("Enter")
                    page.wait_for_load_state("domcontentloaded")
                    if "/2fa/authenticate" not in page.url:
                        break
                if "/2fa/authenticate" not in page.url:
                    break
                time.sleep(30 - time.time() % 30 + 0.5)
        assert not re.search(r"/accounts/(login|2fa/authenticate)", page.url), f"MFA login as {email} failed"
        return page

    return do_login
