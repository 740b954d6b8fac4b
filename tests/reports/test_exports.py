"""CSV with BOM and Japanese intact, XLSX with the same rows, every export a task stored with its SHA-256, audited."""

import csv
import hashlib
import io

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reports.exports import Table, csv_chunks, write_xlsx
from reports.models import ExportJob
from training.models import Assignment

pytestmark = pytest.mark.django_db


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def exported(client, url: str) -> bytes:
    """Every export is a job (the test task backend runs it at once): from the status page to the stored file."""
    response = client.get(url)
    assert response.status_code == 302
    job = ExportJob.objects.order_by("-pk").first()
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    data = streamed(download)
    assert download["X-Content-SHA256"] == job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.size == len(data)
    return data


def read_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(raw: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    return [[norm("" if v is None else str(v)) for v in row] for row in book.active.iter_rows(values_only=True)]


def norm(value: str) -> str:
    """Excel stores 20.0 as 20; compare numbers as numbers."""
    try:
        return str(float(value))
    except ValueError:
        return value


@pytest.mark.parametrize(
    "table", ["units", "modules", "employment_types", "job_roles", "trend", "weak_points", "attestations", "companies"]
)
def test_every_summary_table_exports_as_csv_and_xlsx_with_the_same_rows(client, world, table):
    client.force_login(world["admin"])
    rows = read_csv(exported(client, reverse("reports:export", args=[table, "csv"]) + "?cycle=FY2026"))
    xlsx = exported(client, reverse("reports:export", args=[table, "xlsx"]) + "?cycle=FY2026")
    assert read_xlsx(xlsx) == [[norm(c) for c in row] for row in rows]
    assert AuditEntry.objects.filter(action="reports.exported", detail__table=table).count() == 2


def test_unit_csv_keeps_japanese_and_the_dashboard_numbers(client, world):
    client.force_login(world["manager"])
    rows = read_csv(exported(client, reverse("reports:export", args=["units", "csv"]) + "?unit=SALES&cycle=FY2026"))
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["HACHINOHE"][1] == "八戸営業所"
    # assigned, completed, overdue, failed out, exempted (see test_the_numbers_by_hand_for_hachinohe_this_cycle)
    assert by_code["HACHINOHE"][2:7] == ["8", "3", "5", "0", "1"]


def test_assignment_export_streams_every_row_in_scope(client, world):
    client.force_login(world["manager"])
    rows = read_csv(exported(client, reverse("reports:export", args=["assignments", "csv"]) + "?unit=HACHINOHE"))
    expected = Assignment.objects.filter(
        person__unit__code__in=["HACHINOHE", "HACHI_EAST"], person__is_active=True, archived_at__isnull=True
    ).count()
    assert len(rows) - 1 == expected
    assert {r[0] for r in rows[1:]} == {"E0001", "E0002", "E0003"}
    assert "行為規制の基本" in {r[7] for r in rows[1:]}
    # Times in Japan time: the FY2026 basics module is due at the end of 30 June (JST).
    assert {r[11] for r in rows[1:] if r[7] == "行為規制の基本"} == {"2026-06-30 23:59"}
    assert {r[9] for r in rows[1:]} == {"未完了", "修了", "免除"}
    xlsx_rows = read_xlsx(exported(client, reverse("reports:export", args=["assignments", "xlsx"]) + "?unit=HACHINOHE"))
    assert len(xlsx_rows) == len(rows)
    assert [r[0] for r in xlsx_rows] == [r[0] for r in rows]


@pytest.mark.parametrize("table", ["units", "assignments"])
def test_every_export_whatever_its_size_runs_as_a_task_with_a_status_page_and_its_sha256(
    client, world, settings, tmp_path, table
):
    """Three rows or a million: a job, a status page showing the file's SHA-256, and a list naming who asked."""
    settings.PORTAL_PRIVATE_MEDIA_ROOT = str(tmp_path)
    client.force_login(world["admin"])
    response = client.get(reverse("reports:export", args=[table, "csv"]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE  # the immediate task backend ran it
    assert len(job.sha256) == 64 and job.size
    page = client.get(response["Location"]).content.decode()
    assert "100%" in page and job.sha256 in page
    listing = client.get(reverse("reports:export_jobs")).content.decode()
    assert job.sha256 in listing and world["admin"].get_full_name() in listing
    if table == "units":
        return
    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    rows = read_csv(b"".join(download.streaming_content))
    assert len(rows) - 1 == job.total == job.processed
    assert AuditEntry.objects.filter(action="reports.export_downloaded").count() == 1
    # Someone else's job is not found.
    client.force_login(world["manager"])
    assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404


def test_unknown_table_is_404(client, world):
    client.force_login(world["admin"])
    assert client.get(reverse("reports:export", args=["salaries", "csv"])).status_code == 404
    assert client.get(reverse("reports:export", args=["units", "pdf"])).status_code == 404


def test_xlsx_keeps_headers_numbers_japanese_text_and_japan_time(client, world):
    """Opened with openpyxl: Japanese headers and text, counts as numbers, times as Japan-time text (as in the CSV)."""
    client.force_login(world["manager"])
    raw = exported(client, reverse("reports:export", args=["assignments", "xlsx"]) + "?unit=HACHINOHE")
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert sheet.title == "全割当"
    assert [c.value for c in sheet[1]][:3] == ["社員番号", "姓", "名"]
    assert [c.value for c in sheet[1]][11] == "期限"
    basics = [row for row in sheet.iter_rows(min_row=2) if row[7].value == "行為規制の基本"]
    assert basics and {row[11].value for row in basics} == {"2026-06-30 23:59"}
    assert {row[11].data_type for row in basics} == {"s"}

    raw = exported(client, reverse("reports:export", args=["units", "xlsx"]) + "?unit=SALES&cycle=FY2026")
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    hachinohe = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "HACHINOHE")
    assert hachinohe[1].value == "八戸営業所"
    assert [c.value for c in hachinohe[2:7]] == [8, 3, 5, 0, 1]
    assert {c.data_type for c in hachinohe[2:7]} == {"n"}


def test_xlsx_writes_text_that_looks_like_a_formula_or_a_link_as_text(tmp_path):
    """A name such as "=HYPERLINK(...)" from an HR file must not become a live formula in Excel."""
    table = Table(
        name="t",
        title="テスト",
        headers=["名前", "件数", "率"],
        rows=[('=HYPERLINK("http://example.com")', 3, 12.5), ("https://example.com/", None, None)],
    )
    path = tmp_path / "t.xlsx"
    progress = []
    assert write_xlsx(table, str(path), progress=progress.append) == 2
    assert progress == [2]
    sheet = openpyxl.load_workbook(path).active
    rows = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert rows[1] == [('=HYPERLINK("http://example.com")', "s"), (3, "n"), (12.5, "n")]
    assert rows[2][0] == ("https://example.com/", "s") and sheet["A3"].hyperlink is None
    assert sheet["B3"].value is None


def test_csv_keeps_text_that_looks_like_a_formula_as_text():
    table = Table(
        name="t",
        title="テスト",
        headers=["名前", "件数"],
        rows=[('=HYPERLINK("http://example.com")', 3), ("@SUM(A1)", -2), ("-1+2", 0), ("", 1), ("山田 太郎", 4)],
    )
    data = b"".join(csv_chunks(table))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] == [
        ['\'=HYPERLINK("http://example.com")', "3"],
        ["'@SUM(A1)", "-2"],  # a number stays a number, whatever its sign
        ["'-1+2", "0"],
        ["", "1"],
        ["山田 太郎", "4"],
    ]
