"""The regulator report: Japanese font embedded, stored unchanged with its SHA-256, hotline section via the hook."""

import datetime as dt
import hashlib
import shutil
import subprocess

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reports import selectors
from reports.models import IssuedReport

pytestmark = pytest.mark.django_db


def test_issue_store_and_download_unchanged(client, world, tmp_path):
    client.force_login(world["admin"])
    response = client.post(reverse("reports:regulator"), {"start": "2026-04-01", "end": "2026-06-30"})
    report = IssuedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:regulator_detail", args=[report.pk])
    download = client.get(reverse("reports:regulator_download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert hashlib.sha256(download.content).hexdigest() == report.sha256
    assert report.hash_matches()
    listing = client.get(reverse("reports:regulator")).content.decode()
    assert report.sha256[:16] in listing
    assert AuditEntry.objects.filter(action="reports.regulator_report_issued", detail__sha256=report.sha256).exists()
    assert AuditEntry.objects.filter(action="reports.regulator_report_downloaded").count() == 1
    if shutil.which("pdffonts"):
        path = tmp_path / "report.pdf"
        path.write_bytes(download.content)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
        assert "IPAexGothic" in fonts
        assert all(" yes " in line for line in fonts.splitlines()[2:] if "IPAexGothic" in line)


def test_report_contents_cover_training_attestations_checklists_enquiries_and_the_hotline(rf, world):
    from reports.pdf import regulator_report_html

    request = rf.get("/")
    request.user = world["admin"]
    html = regulator_report_html(
        request=request,
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 6, 30),
        issued_at=dt.datetime.now(dt.UTC),
        issued_by=world["admin"],
    )
    for heading in ("研修の修了状況", "営業部", "行為規制の基本", "異動時チェックリスト", "照会", "誓約"):
        assert heading in html, heading
    # The hotline contributes its own section through the hook (counts only).
    assert "hotline-statistics" in html


def test_regulator_figures_count_assignments_due_in_the_period(world):
    data = selectors.regulator_report_data(start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30))
    # Due in the period: FY2026 basics (30 June), sales-rules (31 May), quiz-mod (30 June), cc-once (30 June)
    # for active people; the leaver's rows and archived-on-leaving rows are out.
    expected_rows = [
        r
        for r in __import__("training.models", fromlist=["Assignment"]).Assignment.objects.select_related("person")
        if r.person.is_active
        and r.archive_reason != "left_audience"
        and dt.datetime(2026, 3, 31, 15, tzinfo=dt.UTC) < r.due_at <= dt.datetime(2026, 6, 30, 15, tzinfo=dt.UTC)
    ]
    assert data.total.assigned == sum(1 for r in expected_rows if r.status != "exempted")
    assert data.total.exempted == sum(1 for r in expected_rows if r.status == "exempted")
    assert data.total.completed == sum(1 for r in expected_rows if r.status == "completed")


def test_bad_period_gets_a_clear_message_and_issues_nothing(client, world):
    client.force_login(world["admin"])
    response = client.post(reverse("reports:regulator"), {"start": "2026-06-30", "end": "2026-04-01"})
    assert response.status_code == 400
    assert IssuedReport.objects.count() == 0
    assert "ends before it starts" in response.content.decode() or "開始日より前" in response.content.decode()


def test_managers_cannot_issue_or_download(client, world):
    client.force_login(world["admin"])
    client.post(reverse("reports:regulator"), {"start": "2026-04-01", "end": "2026-06-30"})
    report = IssuedReport.objects.get()
    client.force_login(world["manager"])
    assert client.get(reverse("reports:regulator_download", args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:regulator"), {"start": "2026-04-01", "end": "2026-06-30"}).status_code == 404
