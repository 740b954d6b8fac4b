import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# Screenshots for people to look at; not compared by the tests.
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)


def test_employee_logs_in_searches_in_japanese_and_opens_a_rule(page, login):
    login(page, "sales@example.jp")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text().startswith("こんにちは")
    page.screenshot(path=f"{SHOTS}/home.png", full_page=True)

    page.fill("#site-search", "スイッチング")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.locator(".result h2 a")
    titles = results.all_inner_texts()
    assert "スイッチング（契約切替）の手続" in titles
    page.screenshot(path=f"{SHOTS}/search.png", full_page=True)

    page.get_by_role("link", name="スイッチング（契約切替）の手続").click()
    assert page.get_by_role("heading", level=1).inner_text() == "スイッチング（契約切替）の手続"
    # The section for the reader's own department (sales) is pulled to the top.
    assert "営業所での受付" in page.locator(".for-you").inner_text()
    page.screenshot(path=f"{SHOTS}/rule.png", full_page=True)


def test_english_switch_in_the_browser(page, login):
    login(page, "cc@example.jp")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()
    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "ja"
