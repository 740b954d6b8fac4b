"""A manager (manager@example.jp) reads their home panel, drills down the dashboard from the company
to a unit and a person, works through the overdue list and opens every link on both pages."""

import pytest

from .links import PANEL_STYLED, follow_every_link

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def manager(open_person):
    return open_person("manager")


def test_home_shows_a_styled_training_panel(manager):
    manager.log_in("manager@example.jp")
    unstyled = manager.page.evaluate(PANEL_STYLED, "研修の受講状況")
    assert unstyled is not None, "the manager's home has no 研修の受講状況 panel"
    manager.expect(not unstyled, f"the 研修の受講状況 panel's classes have no style on the home page: {unstyled}")
    manager.follow("main a[href='/reports/']", "dashboard")
    manager.checks.assert_clean()


def test_drills_down_from_the_dashboard_to_a_unit_and_a_person(manager):
    page = manager.page
    manager.follow("main a[href^='/reports/units/']", "unit")
    search_box = page.locator("#site-search")
    if search_box.count():
        value = search_box.input_value()
        manager.expect(value == "", f"the header search box on a unit page holds {value!r}")
    manager.follow("main a[href^='/reports/people/']", "person")
    manager.checks.assert_clean()


def test_dashboard_bars_do_not_rely_on_colour_alone(manager):
    # Issue 13: the red and green of the bars were indistinguishable for colour-blind readers.
    page = manager.page
    manager.visit("/reports/", "dashboard")
    late = page.locator("main svg .rp-bar-late")
    manager.expect(late.count() > 0, "the demo dashboard shows no overdue bar")
    fills = late.evaluate_all("els => els.map(e => getComputedStyle(e).fill)")
    manager.expect(all(f.startswith("url(") for f in fills), f"overdue bars are told by colour alone: {set(fills)}")
    legend = page.locator("main .rp-legend li").all_inner_texts()
    manager.expect(len(legend) >= 3, f"the bars have no legend in words: {legend}")
    manager.checks.assert_clean()


def test_works_through_the_overdue_list_and_every_link_on_it(manager):
    manager.visit("/reports/", "dashboard")
    manager.follow("main a[href^='/reports/overdue/']", "overdue")
    assert manager.page.locator("main table tbody tr").count() > 0, "the overdue list is empty on the demo data"
    assert follow_every_link(manager, "overdue") > 10
    manager.checks.assert_clean()


def test_every_link_on_the_dashboard_works(manager):
    # Weak-point questions, cases, units, people, exports: a manager may open each one.
    manager.visit("/reports/", "dashboard")
    follow_every_link(manager, "dashboard")
    manager.checks.assert_clean()


def test_a_restricted_page_gets_the_portals_refusal(manager):
    manager.checks.allow(404, "/rules/audit-checklist/")
    manager.checks.allow(403, "/rules/audit-checklist/")
    response = manager.page.goto("/rules/audit-checklist/")
    manager.expect(
        "/_util/login/" not in manager.page.url, f"a restricted page shows Wagtail's login form ({manager.page.url})"
    )
    manager.expect(response.status in (403, 404), f"a restricted page answers HTTP {response.status}")
    manager.checks.check(manager.page, "restricted")
    manager.checks.assert_clean()
