"""What a person sees at a phone's width (390 px) and a laptop's (1366 px), in both languages:
nothing scrolls sideways, words do not break inside, the staff navigation keeps to one row,
focus rings and field borders stand out (3:1), and Japanese content is marked lang="ja"."""

import re

import pytest

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)
EMPLOYEE_PAGES = ["/", "/training/", "/rules/", "/qa/", "/casebook/", "/enquiries/", "/hotline/"]


def _use(page, width: int, language: str = "ja") -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])


def _no_sideways_scroll(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll_width <= inner_width, f"{url}: {scroll_width} px wide in a {inner_width} px window"


def _first_case_url(page) -> str:
    page.goto("/casebook/")
    return page.locator("main h3 a").first.get_attribute("href")


def _lines(page, selector: str) -> list[int]:
    """How many lines each matching element's text takes (distinct tops of its line boxes)."""
    return page.eval_on_selector_all(
        selector,
        """els => els.map(el => {
            const range = document.createRange(); range.selectNodeContents(el);
            return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
        })""",
    )


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    return sum(
        k * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        for k, c in zip((0.2126, 0.7152, 0.0722), (r, g, b), strict=True)
    )


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_an_employees_pages_do_not_scroll_sideways(page, login, width, language):
    login(page, "sales@example.jp")
    _use(page, width, language)
    for url in [*EMPLOYEE_PAGES, _first_case_url(page)]:
        _no_sideways_scroll(page, url)


def test_my_training_on_a_phone_keeps_titles_and_dates_readable(page, login):
    login(page, "sales@example.jp")
    _use(page, 390)
    page.goto("/training/")
    cells = page.locator("section[aria-labelledby=current-heading] td:first-child")
    assert cells.count()
    for i in range(cells.count()):
        assert cells.nth(i).bounding_box()["width"] > 300  # the title has the width, not two characters a line
    assert max(_lines(page, "section[aria-labelledby=current-heading] td:first-child a")) <= 2
    assert set(_lines(page, "section[aria-labelledby=current-heading] time")) == {1}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_case_triangle_fits_a_phone(page, login, language):
    login(page, "sales@example.jp")
    _use(page, 390, language)
    page.goto(_first_case_url(page))
    picture = page.locator("svg.fraud-triangle-compact")
    assert picture.is_visible()
    box = picture.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert not page.locator("svg.fraud-triangle").is_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_staff_navigation_keeps_to_one_row_on_a_laptop(page, login_with_mfa, language):
    login_with_mfa(page, "compliance@example.jp")
    _use(page, 1366, language)
    page.goto("/")
    tops = page.eval_on_selector_all(".site-nav li", "els => els.map(el => Math.round(el.getBoundingClientRect().top))")
    assert len(tops) >= 10  # the compliance officer's staff links are there
    assert len(set(tops)) == 1, tops


@pytest.mark.parametrize("width", WIDTHS)
def test_training_administration_does_not_break_words_or_dates(page, login_with_mfa, width):
    login_with_mfa(page, "compliance@example.jp")
    _use(page, width)
    _no_sideways_scroll(page, "/training/manage/")
    if width == 1366:
        table = "section[aria-labelledby=list-heading] table.data tbody tr:nth-child(-n+10)"
        # Status (未完了), due date and the action (免除する) each on one line.
        for column in (5, 6, 8):
            assert set(_lines(page, f"{table} td:nth-child({column})")) <= {0, 1}, column  # 0: an empty cell


def test_focus_ring_and_field_borders_have_3_to_1_contrast(page, login):
    login(page, "sales@example.jp")
    page.goto("/enquiries/new/")
    field = page.locator("main input[type=text], main textarea").first
    field.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring, border = field.evaluate("el => [getComputedStyle(el).outlineColor, getComputedStyle(el).borderTopColor]")
    assert _contrast(ring, "rgb(244, 246, 249)") >= 3  # the page's background
    assert _contrast(border, "rgb(255, 255, 255)") >= 3


def test_japanese_content_is_marked_japanese_in_english_mode(page, login):
    login(page, "sales@example.jp")
    _use(page, 1366, "en")
    page.goto("/rules/")
    page.goto(page.locator("main h2 a").first.get_attribute("href"))
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("main h1").evaluate("el => el.closest('[lang]').lang") == "ja"
    assert page.locator("main .lead").first.evaluate("el => el.closest('[lang]').lang") == "ja"
    # Interface text stays English.
    assert page.locator(".site-nav").evaluate("el => el.closest('[lang]').lang") == "en"
