import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)


def test_reader_filters_the_casebook_and_opens_a_case(page, login):
    login(page, "cc@example.jp")
    page.goto("/casebook/")
    assert page.get_by_role("heading", level=1).inner_text() == "事例集"
    assert page.locator(".case-card").count() == 7

    page.locator("a[data-facet=department][data-value=call_centre]").click()
    page.locator("a[data-facet=cause][data-value=motivation]").click()
    page.wait_for_load_state("domcontentloaded")

    cards = page.locator(".case-card h3").all_inner_texts()
    assert len(cards) == 3 and all("カスタマーセンター" in title for title in cards)
    selected = page.locator("a[aria-current=true][data-facet=cause] .count").inner_text()
    assert selected == "3"
    assert "3件の事例" in page.locator(".result-count").inner_text()
    page.screenshot(path=f"{SHOTS}/casebook-filtered.png", full_page=True)

    page.get_by_role("link", name="カスタマーセンター事例（3）：委託先2社75名がNW設定端末を使用").click()
    page.wait_for_load_state("domcontentloaded")
    triangle = page.get_by_role("img", name="この事例の不正のトライアングル")
    assert triangle.is_visible()
    assert page.locator("#triangle-desc").text_content().startswith("機会（3）")
    for heading in ["何が起きたか", "違反した規則とその理由", "再発防止策", "部門ごとの教訓"]:
        assert page.get_by_role("heading", name=heading).is_visible()
    page.screenshot(path=f"{SHOTS}/case-page.png", full_page=True)


def test_search_finds_cases(page, login):
    login(page, "sales@example.jp")
    for query, title in [
        ("八戸", "八戸営業所：共用窓口のNW設定端末で新電力の顧客情報を閲覧"),
        ("派遣社員", "岩手三陸営業所・仙台北営業所：派遣社員用の新しい端末がNW設定だった"),
        ("ID", "異動前のID・パスワードで系統情報イントラネットを閲覧（14名）"),
    ]:
        page.goto(f"/search/?q={query}")
        assert title in page.locator(".result h2 a").all_inner_texts(), query
