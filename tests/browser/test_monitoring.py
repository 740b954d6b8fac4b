"""Access monitoring in a real browser against the demo portal.

The compliance auditor (auditor@example.jp, MFA) reads the dashboard, uploads a log file of the
customer information system in which a sales person of 長岡営業所 opens new entrants' records at
the 八戸 shared counter, sees the findings, opens one, writes a note, assigns a module and closes
it; the person then sees the module on /training/. Every page answers below 400, logs nothing on
the console and does not scroll sideways at 390 px, in Japanese and in English. Employees,
compliance editors and the site administrator get 404. Screenshots go to $SCREENSHOT_DIR.
"""

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)
JST = ZoneInfo("Asia/Tokyo")
PERSON = "M212005"  # 長岡営業所, never in the demo's logs
MODULE = "カスタマーセンターの行為規制：繁忙期と端末"  # not in a sales person's audience
PAGES = [
    "/monitoring/",
    "/monitoring/findings/",
    "/monitoring/imports/",
    "/monitoring/rules/",
    "/monitoring/register/",
    "/monitoring/terminals/",
    "/monitoring/contracts/",
    "/monitoring/contracts/new/",
    "/monitoring/imports/sources/",
    "/monitoring/imports/sources/new/",
]


def _log_file() -> bytes:
    day = dt.datetime.now(tz=JST).date() - dt.timedelta(days=75)  # before the demo's eight weeks: a finding of its own
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["利用者ID", "参照日時", "端末番号", "画面区分", "お客さま番号", "新電力区分"])
    for n in range(4):
        writer.writerow([PERSON, f"{day:%Y/%m/%d} 10:{n:02}:00", "HCH-NW-01", "契約容量照会", f"77000{n}", "1"])
    writer.writerow(["", f"{day:%Y/%m/%d} 10:30:00", "HCH-NW-01", "契約容量照会", "770099", "1"])  # no id
    return out.getvalue().encode("cp932")


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def _no_sideways_scroll(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll_width <= inner_width, f"{url}: {scroll_width} px wide in a {inner_width} px window"


@pytest.fixture
def person_password(e2e_server):
    from tests.e2e import DEMO_PASSWORD

    e2e_server.manage(
        "shell",
        "-c",
        "from people.models import Person; "
        f"p = Person.objects.get(employee_number={PERSON!r}); p.set_password({DEMO_PASSWORD!r}); p.save()",
    )
    return f"{PERSON.lower()}@example.jp"


def test_auditor_uploads_a_log_works_a_finding_and_the_person_gets_the_module(
    e2e_server, page, context, login, login_with_mfa, person_password
):
    problems = _watch(page)
    login_with_mfa(page, "auditor@example.jp")
    page.goto("/")
    page.get_by_role("link", name="アクセスモニタリング").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/monitoring/")
    assert int(page.locator(".mn-kpi .value").nth(3).inner_text()) > 0  # the demo's findings
    page.screenshot(path=str(SHOTS / "monitoring-dashboard-ja.png"), full_page=True)

    # Upload: the file goes through the importer; one line has no id and is listed by number.
    page.get_by_role("link", name="ログの取込み").click()
    page.locator("select[name=source]").select_option(label="託送顧客情報システム アクセスログ")
    page.locator("input[name=file]").set_input_files(
        {"name": "takuso_extra.csv", "mimeType": "text/csv", "buffer": _log_file()}
    )
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/monitoring/imports/" in page.url
    errors = page.locator("section[aria-labelledby=h-errors] table").inner_text()
    assert "6" in errors  # line 6 (the header is line 1)
    page.screenshot(path=str(SHOTS / "monitoring-import-ja.png"), full_page=True)

    # The findings: the person's row, opened.
    page.goto("/monitoring/findings/?status=open&rule=shared_terminal")
    row = page.locator("table.data tbody tr", has_text=PERSON)
    assert row.count() == 1
    row.locator("a").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert "HCH-NW-01" in page.locator("section[aria-labelledby=h-events]").inner_text()
    page.locator("#id_note-text").fill("本人に確認予定。八戸の共用カウンターの端末を使った理由を聞く。")
    page.get_by_role("button", name="メモを追加").click()
    page.wait_for_load_state("domcontentloaded")
    assert "共用カウンターの端末" in page.locator("#notes").inner_text()
    page.locator("#id_training-module").select_option(label=MODULE)
    page.get_by_role("button", name="割り当てる").click()
    page.wait_for_load_state("domcontentloaded")
    assert "割り当てました" in page.locator(".messages").inner_text()
    page.locator("#id_update-status").select_option("closed")
    page.locator("#id_update-outcome").select_option("training_assigned")
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert "完了" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "monitoring-finding-ja.png"), full_page=True)

    # Phone width, both languages: nothing scrolls sideways.
    finding_url = page.url
    for language in ("ja", "en"):
        context.add_cookies([{"name": "django_language", "value": language, "url": e2e_server.url}])
        page.set_viewport_size({"width": 390, "height": 900})
        for url in [*PAGES, finding_url]:
            _no_sideways_scroll(page, url)
        page.goto(finding_url)
        page.screenshot(path=str(SHOTS / f"monitoring-finding-390-{language}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto("/monitoring/")
        page.screenshot(path=str(SHOTS / f"monitoring-dashboard-1366-{language}.png"), full_page=True)
    context.add_cookies([{"name": "django_language", "value": "ja", "url": e2e_server.url}])
    assert problems == []

    # The person sees the module on their training page (and nothing of the finding).
    context.clear_cookies()
    login(page, person_password)
    page.goto("/training/")
    assert MODULE in page.locator("main").inner_text()
    assert page.goto("/monitoring/").status == 404


@pytest.mark.parametrize("email", ["sales@example.jp", "manager@example.jp"])
def test_people_without_the_role_get_404(e2e_server, page, login, email):
    login(page, email)
    for url in PAGES:
        assert page.goto(url).status == 404, url


@pytest.mark.parametrize("email", ["compliance@example.jp", "admin@example.jp"])
def test_compliance_editors_and_the_site_administrator_get_404(e2e_server, page, login_with_mfa, email):
    login_with_mfa(page, email)
    for url in PAGES:
        assert page.goto(url).status == 404, url
    page.goto("/")
    assert page.locator("a[href='/monitoring/']").count() == 0


def test_every_monitoring_page_passes_the_journey_checks_in_both_languages(e2e_server, page, context, login_with_mfa):
    """The journeys' four checks (no response >= 400, no console error, no sideways overflow and the
    layout probes, no serious or critical axe violation) at 1366 and 390 px, Japanese and English."""
    from tests.journeys.checker import PageChecker

    checker = PageChecker(journey="monitoring")
    checker.watch(page)
    login_with_mfa(page, "auditor@example.jp")
    page.goto("/monitoring/findings/")
    finding = page.locator("table.data tbody tr a").first.get_attribute("href")
    page.goto("/monitoring/imports/")
    log_import = page.locator("table.data tbody tr a").first.get_attribute("href")
    for language in ("ja", "en"):
        context.add_cookies([{"name": "django_language", "value": language, "url": e2e_server.url}])
        for name, url in (
            ("dashboard", "/monitoring/"),
            ("findings", "/monitoring/findings/?status="),
            ("finding", finding),
            ("imports", "/monitoring/imports/"),
            ("import", log_import),
            ("rules", "/monitoring/rules/"),
            ("register", "/monitoring/register/"),
            ("terminals", "/monitoring/terminals/"),
            ("contracts", "/monitoring/contracts/"),
            ("contract", "/monitoring/contracts/new/"),
            ("sources", "/monitoring/imports/sources/"),
            ("source", "/monitoring/imports/sources/new/"),
            ("notice", "/rules/access-log-monitoring/"),
        ):
            page.goto(url)
            checker.check(page, name)
    context.add_cookies([{"name": "django_language", "value": "ja", "url": e2e_server.url}])
    checker.assert_clean()


def test_auditor_places_a_terminal_and_adds_a_contract_purpose(e2e_server, page, context, login_with_mfa):
    """Where a terminal stands and what a contractor may open are the auditor's to keep: a terminal is
    marked as in a shared office from its row, and a contract purpose refused for a missing system
    is shown again with the reason, then saved."""
    problems = _watch(page)
    login_with_mfa(page, "auditor@example.jp")
    page.goto("/monitoring/")
    page.get_by_role("link", name="端末", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    row = page.locator("table[aria-labelledby=h-registered] tr", has_text="CC-TR-01")
    assert row.locator("td").nth(2).inner_text() == "送配電会社専用"
    row.locator("summary").click()
    row.get_by_label("設置場所").fill("カスタマーセンター 研修室（小売と共用）")
    row.get_by_label("小売部門との共用事務所にある").check()
    row.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert "CC-TR-01" in page.locator(".messages").inner_text()
    row = page.locator("table[aria-labelledby=h-registered] tr", has_text="CC-TR-01")
    assert row.locator("td").nth(2).inner_text() == "小売部門と共用"
    assert "（小売と共用）" in row.locator("td").nth(1).inner_text()
    page.screenshot(path=str(SHOTS / "monitoring-terminals-ja.png"), full_page=True)

    page.get_by_role("link", name="委託目的", exact=True).click()
    page.get_by_role("link", name="委託目的を追加").click()
    page.wait_for_load_state("domcontentloaded")
    page.locator("#id_company").select_option(index=1)
    page.locator("#id_name").fill("メーター交換工事の日程調整")
    page.locator("#id_valid_from").fill("2026-04-01")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("div.errorlist").all_inner_texts() == ["契約の対象となるシステムを1つ以上選んでください。"]
    page.get_by_label("託送顧客情報システム").check()
    page.locator("#id_allowed_record_types").fill("供給地点照会")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/monitoring/contracts/")
    assert "メーター交換工事の日程調整" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "monitoring-contracts-ja.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    for url in ("/monitoring/terminals/", "/monitoring/contracts/", "/monitoring/contracts/new/"):
        _no_sideways_scroll(page, url)
    page.screenshot(path=str(SHOTS / "monitoring-contract-form-390-ja.png"), full_page=True)
    # The one refused form answers 400, as every refused form of the portal does (Chromium logs that
    # on the console too); nothing else fails.
    assert problems == [
        f"400 {e2e_server.url}/monitoring/contracts/new/",
        "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ], problems
