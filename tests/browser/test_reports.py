"""Reading the compliance dashboards in a real browser against the demo portal.

1. The SALES manager sees the sales division and its offices only, drills down to an office,
   and gets 404 for the call centre; an employee gets 404 for every dashboard.
2. The training administrator (with MFA) sees every unit, issues a regulator report and
   downloads a CSV with its byte-order mark.
Screenshots go to $SCREENSHOT_DIR (default /tmp/shots).
"""

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)


def test_manager_reads_their_units_and_nothing_else(e2e_server, page, login):
    login(page, "manager@example.jp")
    page.goto("/")
    page.get_by_role("link", name="コンプライアンス・ダッシュボード").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/reports/")
    assert "営業部" in page.locator("h1").inner_text() or "担当所属" in page.content()
    assert page.locator("section[aria-labelledby=h-units] table tbody tr").count() >= 1
    assert "カスタマーセンター" not in page.locator("section[aria-labelledby=h-units] table").inner_text()
    page.screenshot(path=str(SHOTS / "reports-manager.png"), full_page=True)
    # Drill down into the division and then to its first office.
    page.locator("section[aria-labelledby=h-units] table tbody tr th a").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert "/reports/units/" in page.url
    page.screenshot(path=str(SHOTS / "reports-manager-drilldown.png"), full_page=True)
    assert page.goto("/reports/units/CC/").status == 404
    assert page.goto("/reports/regulator/").status == 404


def test_employee_gets_404(e2e_server, page, login):
    login(page, "sales@example.jp")
    for url in ("/reports/", "/reports/units/SALES/", "/reports/overdue/", "/reports/export/units.csv"):
        assert page.goto(url).status == 404, url


def test_training_administrator_reads_everything_and_issues_a_report(e2e_server, page, login_with_mfa):
    login_with_mfa(page, "compliance@example.jp")
    response = page.goto("/reports/")
    assert response.status == 200
    units = page.locator("section[aria-labelledby=h-units] table").inner_text()
    assert "営業部" in units
    page.screenshot(path=str(SHOTS / "reports-admin.png"), full_page=True)
    # Every export is a task with a status page (docs/reports.md); the file is downloaded from there.
    page.locator("#h-units a", has_text="CSV").click()
    page.wait_for_url("**/reports/exports/**")
    with page.expect_download() as download_info:
        page.locator("main a.button[href*='/download']").click()
    path = download_info.value.path()
    assert Path(path).read_bytes().startswith(b"\xef\xbb\xbf")
    page.goto("/reports/regulator/")
    page.get_by_role("button", name="発行する").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/reports/regulator/" in page.url and "SHA-256" in page.content()
    page.screenshot(path=str(SHOTS / "reports-regulator.png"), full_page=True)
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="PDF をダウンロード").click()
    pdf = Path(pdf_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    (SHOTS / "regulator-report.pdf").write_bytes(pdf)
