"""An anonymous reporter files a concern on the hotline, keeps the receipt (also after switching the
language), comes back with it, reads the case and replies, and switches language there too."""

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reporter(open_person):
    return open_person("reporter")


@pytest.fixture(scope="module")
def receipt():
    return {}


def file_report(reporter) -> str:
    """Fill in the hotline form as a person does; returns the receipt code shown."""
    page = reporter.page
    reporter.visit("/hotline/", "intake")
    page.check("input[name=category][value=conduct_rules]")
    page.fill("textarea[name=what]", "共用カウンターのNW端末で、新電力のお客さまの情報を照会しているのを見ました。")
    page.fill("input[name=when]", "2026年11月")
    page.fill("input[name=where]", "営業所の共用カウンター")
    reporter.submit("form.hotline-form button[type=submit]", "receipt")
    code = page.locator(".receipt-code").get_attribute("data-receipt")
    assert code and re.fullmatch(r"[A-Z0-9]{16,24}", code), page.locator("main").inner_text()[:400]
    return code


def test_files_a_report_and_keeps_the_receipt_across_a_language_switch(reporter, receipt):
    page = reporter.page
    code = receipt["code"] = file_report(reporter)
    reporter.follow(".lang-switch a, .lang-switch button", "receipt")
    shown = page.locator(".receipt-code")
    reporter.expect(
        shown.count() == 1 and shown.get_attribute("data-receipt") == code,
        "after the language link, the receipt is gone (an empty form instead)",
    )
    reporter.checks.assert_clean()


def test_follows_up_replies_and_switches_language(reporter, receipt):
    page = reporter.page
    reporter.visit("/hotline/followup/", "followup-login")
    page.fill("input[name=code]", receipt["code"])
    reporter.submit("form.hotline-form button[type=submit]", "followup-case")
    assert page.locator("textarea[name=text]").count() == 1, page.locator("main").inner_text()[:400]
    page.fill("textarea[name=text]", "2番の端末でした。時刻は午後3時ごろです。")
    reporter.submit("form.hotline-form button[value=reply]", "followup-replied")
    assert "2番の端末でした" in page.locator("main").inner_text()
    reporter.follow(".lang-switch a, .lang-switch button", "followup-after-language")
    reporter.expect(
        "2番の端末でした" in page.locator("main").inner_text(),
        f"after a follow-up POST the language link loses the case ({page.url})",
    )
    reporter.checks.assert_clean()
