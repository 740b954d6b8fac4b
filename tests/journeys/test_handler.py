"""The designated hotline handler (handler@example.jp) enrols MFA from the QR page, sets up the
case key, and works a case a reporter has just filed: declares no conflict, acknowledges, writes."""

import re

import pytest

from .conftest import enrol_from_the_qr_page
from .test_reporter import file_report

pytestmark = pytest.mark.browser

PASSPHRASE = "oirase gorge maple lantern"


@pytest.fixture(scope="module")
def passphrase(demo_logins) -> dict:
    """The demo handler's key passphrase as `make run` prints it, if the demo sets up a key."""
    printed = re.search(r"passphrase[^\n]*:\s*(\S+)", demo_logins, re.I)
    return {"value": printed.group(1) if printed else PASSPHRASE}


def unlock(handler, passphrase: str) -> None:
    """Unlock the case key with the passphrase, from the case list's button or the unlock page."""
    page = handler.page
    if "/key/unlock/" not in page.url:
        button = page.locator("main a[href$='/hotline/cases/key/unlock/']")
        if not button.count():
            return  # already unlocked
        handler.follow("main a[href$='/hotline/cases/key/unlock/']", "unlock")
    page.fill("input[name=passphrase]", passphrase)
    handler.submit("form.hotline-form button[type=submit]", "cases")
    assert "/key/unlock/" not in page.url, "the key does not unlock with the passphrase"


@pytest.fixture(scope="module")
def handler(open_person):
    return open_person("handler")


def test_enrols_mfa_and_sets_up_the_case_key(handler, passphrase):
    enrol_from_the_qr_page(handler, "handler@example.jp")
    handler.visit("/hotline/cases/", "cases")
    page = handler.page
    if page.url.endswith("/hotline/cases/key/"):
        # No key yet: the handler chooses a passphrase and keeps the recovery key.
        passphrase["value"] = PASSPHRASE
        page.fill("input[name=passphrase]", PASSPHRASE)
        page.fill("input[name=passphrase_again]", PASSPHRASE)
        handler.submit("form.hotline-form button[type=submit]", "recovery-key")
        assert re.fullmatch(r"([A-Z2-9]{4}-){7}[A-Z2-9]{4}", page.locator(".recovery-key").inner_text().strip())
    else:
        unlock(handler, passphrase["value"])
    handler.checks.assert_clean()


def test_works_a_new_case(handler, open_person, passphrase):
    file_report(open_person("handler-reporter"))
    page = handler.page
    handler.visit("/hotline/cases/", "cases")
    unlock(handler, passphrase["value"])
    handler.follow("table.data tbody a", "case-conflict")
    page.check("input[name=declaration][value=no]")
    handler.submit("form.hotline-form button[type=submit]", "case")
    assert re.search(r"/hotline/cases/[0-9a-f-]{36}/$", page.url), page.url
    page.select_option("select[name=status]", "acknowledged")
    handler.submit("form[action$='/status/'] button[type=submit]", "case")
    page.check("input[name=kind][value=message]")
    page.fill(
        "form[action$='/entries/'] textarea[name=text]", "ご連絡ありがとうございます。どの営業所か教えてください。"
    )
    handler.submit("form[action$='/entries/'] button[type=submit]", "case-answered")
    handler.checks.assert_clean()
