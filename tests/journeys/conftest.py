"""Journeys: each role's main tasks, done in Chromium the way a person does them, from the login form.

The portal is the demo one the browser tests use too (tests/e2e.py: one per session, full demo
data, gunicorn); the browser is the same one Chromium. Each journey module opens one browser
context per person with `open_person` and walks its steps as tests in file order, so a step reads as a story and a
failing step names the defect. Every page goes through `PageChecker.check` (checker.py).

JOURNEYS_URL=http://127.0.0.1:PORT runs the journeys against a portal already running with
fresh demo data (for instance an older checkout, to see which steps fail on it).
"""

import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from tests.e2e import DEMO_PASSWORD

from .checker import DESKTOP, ROOT, PageChecker


@pytest.fixture(scope="session")
def portal_url(request) -> str:
    return os.environ.get("JOURNEYS_URL") or request.getfixturevalue("journey_server").url


@pytest.fixture(scope="session")
def demo_logins(request) -> str:
    """What `make run` prints for a newcomer: the demo logins and the demo-only secrets."""
    if os.environ.get("JOURNEYS_URL"):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
        done = subprocess.run(
            [sys.executable, "manage.py", "demo", "--print-logins"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        return done.stdout
    return request.getfixturevalue("journey_server").manage("demo", "--print-logins")


@dataclass
class Person:
    """One person's browser tab and the checks that follow it."""

    page: object
    checks: PageChecker

    def visit(self, path: str, name: str):
        response = self.page.goto(path)
        self.page.wait_for_load_state("domcontentloaded")
        self.checks.check(self.page, name)
        return response

    def submit(self, locator, name: str) -> None:
        """Click a submit button (or a link) and check the page it leads to."""
        from playwright.sync_api import Error

        try:
            with self.page.expect_navigation():
                self.page.locator(locator).first.click()
        except Error as error:  # an error status with no page to show: reported, and the journey goes on
            self.expect(False, f"{name}: {str(error).splitlines()[0]} at {self.page.url}")
            return
        self.checks.check(self.page, name)

    follow = submit

    def expect(self, ok: bool, problem: str) -> None:
        """A defect the step notes and reports at its end, letting the journey go on."""
        if not ok:
            self.checks.problems.append(problem)

    def log_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.visit("/accounts/login/", "login")
        self.expect(
            self.page.locator("main form:has(input[name=password])").evaluate("f => !!f.closest('.card')"),
            "the login form is not in the portal's card style",
        )
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.submit("main form:has(input[name=password]) button[type=submit]", "after-login")
        assert "/accounts/login/" not in self.page.url, f"login as {email} failed"


@pytest.fixture(scope="module")
def open_person(browser, portal_url):
    """Open a browser context for one person of the journey; closed when the module ends."""
    contexts = []

    def open_(journey: str, locale: str = "ja-JP") -> Person:
        context = browser.new_context(base_url=portal_url, locale=locale, viewport={"width": DESKTOP, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        checks = PageChecker(journey)
        return Person(page=checks.watch(context.new_page()), checks=checks)

    yield open_
    for context in contexts:
        context.close()


def totp_now(secret: str, step_offset: int = 0) -> str:
    """The code an authenticator app shows for a base32 secret (RFC 6238: SHA-1, 6 digits, 30 s)."""
    import base64

    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30 + step_offset)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def secret_on_page(page) -> str:
    """The secret as the enrolment page shows it to a person who types it into their app."""
    field = page.locator("#authenticator_secret")
    if field.count():
        return field.first.input_value().replace(" ", "")
    found = re.search(r"\b[A-Z2-7]{16,}\b", page.locator("main").inner_text().replace(" ", ""))
    assert found, "the enrolment page shows no secret"
    return found.group(0)


def enrol_from_the_qr_page(person, email: str) -> None:
    """First login of a person whose role needs MFA: straight to enrolment, which accepts the code."""
    person.log_in(email)
    page = person.page
    if "/reauthenticate" in page.url:
        person.expect(False, "right after logging in, the person is asked for their password again")
        page.fill("input[name=password]", DEMO_PASSWORD)
        person.submit("main form button[type=submit]", "reauthenticate")
    assert "/2fa/totp/activate" in page.url, f"first login of {email} does not lead to enrolment: {page.url}"
    person.checks.check(page, "mfa-activate")  # the browser fetches the favicon meanwhile, as Chromium does
    page.fill("input[name=code]", totp_now(secret_on_page(page)))
    person.submit("main form button[type=submit]", "after-enrolment")
    if "/2fa/totp/activate" in page.url:
        person.expect(False, "the code for the secret shown on the QR page is refused")
        # Go on with the secret the page shows now, so the rest of the journey can be walked.
        page.fill("input[name=code]", totp_now(secret_on_page(page)))
        person.submit("main form button[type=submit]", "after-enrolment")
    assert not re.search(r"/2fa/totp/activate|/accounts/login/", page.url), f"enrolment failed: {page.url}"
    if "/reauthenticate" in page.url:
        person.expect(False, "right after enrolling, the person is asked for their password again")
        page.fill("input[name=password]", DEMO_PASSWORD)
        person.submit("main form button[type=submit]", "reauthenticate")
