"""Access-log import: encodings, time zones, once per file and per row, per-line errors, refusals."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from monitoring.importing import log_import_run, record_key
from monitoring.models import AccessEvent, LogImport, LogSource, System, SystemAccount
from monitoring.services import log_import_upload
from people import roles
from tests.factories import monitoring as mf

pytestmark = pytest.mark.django_db

ROWS = [
    ("G1001", "2022-01-05 09:00:00", "HC-01", "契約情報", "0300001", "1"),
    ("G1001", "2022-01-05 09:01:00", "HC-01", "使用量", "0300002", "0"),
    ("G2002", "2022-01-05 10:30:15", "HQ-07", "契約情報", "0300003", "1"),
]


def test_cp932_file_is_imported_with_times_in_the_sources_zone():
    source = mf.source()
    result = log_import_run(source=source, filename="takuso.csv", content=mf.log_file(ROWS))
    assert result.status == LogImport.Status.DONE
    assert (result.rows_total, result.rows_added, result.rows_duplicate, result.errors) == (3, 3, 0, [])
    first = AccessEvent.objects.order_by("occurred_at").first()
    # 09:00 in Tokyo is midnight UTC.
    assert first.occurred_at == dt.datetime(2022, 1, 5, 0, 0, tzinfo=dt.UTC)
    assert (first.account_id, first.terminal, first.record_type, first.line) == ("G1001", "HC-01", "契約情報", 2)
    assert first.concerns_new_entrant is True
    assert AccessEvent.objects.get(line=3).concerns_new_entrant is False


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_file_with_or_without_bom(bom):
    source = mf.source("intra", system=System.GRID_INTRANET, encoding=LogSource.Encoding.UTF8)
    raw = mf.log_file(ROWS, encoding="utf-8-sig" if bom else "utf-8")
    result = log_import_run(source=source, filename="intra.csv", content=raw)
    assert result.status == LogImport.Status.DONE, result.errors
    assert set(AccessEvent.objects.values_list("record_type", flat=True)) == {"契約情報", "使用量"}


def test_time_zone_of_the_source_is_applied():
    source = mf.source(time_zone="UTC")
    log_import_run(source=source, filename="a.csv", content=mf.log_file(ROWS[:1]))
    assert AccessEvent.objects.get().occurred_at == dt.datetime(2022, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_other_time_format():
    source = mf.source(time_format="%Y%m%d%H%M%S")
    log_import_run(source=source, filename="a.csv", content=mf.log_file([("G1", "20220105090000", "", "", "", "")]))
    assert AccessEvent.objects.get().occurred_at == dt.datetime(2022, 1, 5, 0, 0, tzinfo=dt.UTC)


def test_slash_dates_parse_strictly():
    source = mf.source(time_format="%Y/%m/%d %H:%M:%S")
    raw = mf.log_file([("G1", "2022/01/05 09:00:00", "", "", "", ""), ("G1", "2022-01-05 09:00:00", "", "", "", "")])
    result = log_import_run(source=source, filename="a.csv", content=raw)
    assert result.rows_added == 1
    assert [e["line"] for e in result.errors] == [3]


def test_the_same_file_again_adds_nothing():
    source = mf.source()
    raw = mf.log_file(ROWS)
    first = log_import_run(source=source, filename="a.csv", content=raw)
    again = log_import_run(source=source, filename="renamed.csv", content=raw)
    assert again.pk == first.pk
    assert LogImport.objects.count() == 1
    assert AccessEvent.objects.count() == 3


def test_an_overlapping_file_adds_only_its_new_rows():
    source = mf.source()
    log_import_run(source=source, filename="a.csv", content=mf.log_file(ROWS[:2]))
    second = log_import_run(source=source, filename="b.csv", content=mf.log_file(ROWS))
    assert (second.rows_total, second.rows_added, second.rows_duplicate) == (3, 1, 2)
    assert AccessEvent.objects.count() == 3
    assert list(second.events.values_list("account_id", flat=True)) == ["G2002"]


def test_a_row_twice_in_one_file_is_stored_once():
    source = mf.source()
    result = log_import_run(source=source, filename="a.csv", content=mf.log_file([ROWS[0], ROWS[0], ROWS[1]]))
    assert (result.rows_added, result.rows_duplicate) == (2, 1)


def test_bad_rows_are_reported_per_line_and_good_rows_kept():
    source = mf.source()
    rows = [
        ROWS[0],
        ("G1001", "2022-13-05 09:00:00", "HC-01", "契約情報", "0300009", "1"),  # no month 13
        ("", "2022-01-05 09:00:00", "HC-01", "契約情報", "0300009", "1"),  # no user id
        ("G1001", "2022-01-05"),  # too short
        ROWS[2],
    ]
    result = log_import_run(source=source, filename="a.csv", content=mf.log_file(rows))
    assert result.status == LogImport.Status.DONE
    assert (result.rows_total, result.rows_added) == (5, 2)
    assert [(e["line"], e["code"]) for e in result.errors] == [(3, "bad_time"), (4, "no_account"), (5, "short_row")]
    assert result.errors[0]["params"] == {"value": "2022-13-05 09:00:00", "format": "%Y-%m-%d %H:%M:%S"}
    assert result.errors[2]["params"] == {"got": 2, "want": 6}
    assert set(AccessEvent.objects.values_list("line", flat=True)) == {2, 6}


def test_a_missing_column_refuses_the_file_and_stores_nothing():
    source = mf.source()
    header = [h if h != "端末番号" else "端末" for h in mf.HEADER]
    raw = mf.log_file(ROWS, header=header)
    result = log_import_run(source=source, filename="a.csv", content=raw)
    assert result.status == LogImport.Status.FAILED
    assert result.errors[0]["code"] == "missing_columns"
    assert "端末番号" in result.errors[0]["params"]["columns"]
    assert AccessEvent.objects.count() == 0
    # Once the mapping is corrected, the same file is taken again.
    source.columns = {**mf.COLUMNS, "terminal": "端末"}
    source.save()
    retried = log_import_run(source=source, filename="a.csv", content=raw)
    assert retried.pk == result.pk
    assert retried.status == LogImport.Status.DONE
    assert AccessEvent.objects.count() == 3


def test_a_file_that_does_not_decode_is_refused_naming_the_line():
    source = mf.source("intra", system=System.GRID_INTRANET, encoding=LogSource.Encoding.UTF8)
    raw = mf.log_file(ROWS, encoding="utf-8").replace("使用量".encode(), b"\xff\xfe")
    result = log_import_run(source=source, filename="a.csv", content=raw)
    assert result.status == LogImport.Status.FAILED
    assert (result.errors[0]["line"], result.errors[0]["code"]) == (3, "not_text")
    assert result.errors[0]["params"]["line"] == 3
    assert AccessEvent.objects.count() == 0


def test_a_cp932_source_given_a_utf8_file_is_refused():
    source = mf.source()
    result = log_import_run(source=source, filename="a.csv", content=mf.log_file(ROWS, encoding="utf-8"))
    assert result.status == LogImport.Status.FAILED
    assert AccessEvent.objects.count() == 0


def test_record_numbers_are_kept_only_as_a_keyed_hash(settings):
    settings.MONITORING_RECORD_KEY = "test-key"
    source = mf.source()
    log_import_run(source=source, filename="a.csv", content=mf.log_file(ROWS))
    event = AccessEvent.objects.get(line=2)
    assert event.record_key == record_key("0300001")
    assert len(event.record_key) == 64
    for value in AccessEvent.objects.values_list(
        "account_id", "terminal", "record_type", "record_key", "row_hash"
    ).iterator():
        assert not any("0300001" in str(v) for v in value)
    settings.MONITORING_RECORD_KEY = "another-key"
    assert record_key("0300001") != event.record_key


def test_ids_map_to_people_through_the_register(make_person):
    holder = make_person()
    SystemAccount.objects.create(system=System.CUSTOMER_INFO, account_id="G1001", person=holder)
    SystemAccount.objects.create(system=System.GRID_INTRANET, account_id="G2002", person=make_person())
    log_import_run(source=mf.source(), filename="a.csv", content=mf.log_file(ROWS))
    assert set(AccessEvent.objects.filter(account_id="G1001").values_list("person", flat=True)) == {holder.pk}
    # The same id in another system belongs to someone else, or nobody.
    assert AccessEvent.objects.get(account_id="G2002").person is None


def test_import_is_audited():
    result = log_import_run(source=mf.source(), filename="a.csv", content=mf.log_file(ROWS))
    entry = AuditEntry.objects.get(action="monitoring.log_imported")
    assert entry.target_id == str(result.pk)
    assert entry.detail["added"] == 3


def test_a_superuser_without_the_auditor_role_cannot_import(make_person):
    boss = make_person(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionError):
        log_import_run(source=mf.source(), filename="a.csv", content=mf.log_file(ROWS), by=boss)
    assert LogImport.objects.count() == 0


def test_an_upload_is_imported_by_the_task_worker(make_person, django_capture_on_commit_callbacks):
    auditor = make_person(groups=(roles.COMPLIANCE_AUDITORS,))
    with django_capture_on_commit_callbacks(execute=True):
        upload = log_import_upload(source=mf.source(), filename="a.csv", content=mf.log_file(ROWS), by=auditor)
    upload.refresh_from_db()
    assert upload.status == LogImport.Status.DONE
    assert upload.uploaded_by == auditor
    assert upload.rows_added == 3
    assert bytes(upload.content) == b""  # the file is not kept once imported
    assert AuditEntry.objects.filter(action="monitoring.log_uploaded", actor=auditor).exists()


def test_the_command_imports_skips_known_files_and_lists_bad_lines(tmp_path):
    mf.source()
    good = tmp_path / "day1.csv"
    good.write_bytes(mf.log_file([*ROWS, ("G1", "yesterday", "", "", "", "")]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_access_log", "--source", "takuso", str(good), stdout=out, stderr=err)
    assert "rows 4, added 3, already imported 0, bad lines 1" in out.getvalue()
    assert "line 5" in err.getvalue()
    assert LogImport.objects.get().via == LogImport.Via.COMMAND
    out = io.StringIO()
    call_command("import_access_log", "--source", "takuso", str(good), stdout=out, stderr=io.StringIO())
    assert "skipped" in out.getvalue()
    assert AccessEvent.objects.count() == 3


def test_the_command_fails_on_a_refused_file(tmp_path):
    mf.source()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(mf.log_file(ROWS, header=["a", "b", "c", "d", "e", "f"]))
    with pytest.raises(CommandError, match="refused"):
        call_command("import_access_log", "--source", "takuso", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert AccessEvent.objects.count() == 0


def test_backslashes_and_tabs_in_values_are_stored_as_they_are():
    """PostgreSQL's COPY path escapes them (on SQLite the rows go through bulk_create)."""
    source = mf.source()
    log_import_run(
        source=source,
        filename="a.csv",
        content=mf.log_file([("G\\1", "2022-01-05 09:00:00", "HC\t01", "種別\\N", "1", "")]),
    )
    event = AccessEvent.objects.get()
    assert (event.account_id, event.terminal, event.record_type) == ("G\\1", "HC\t01", "種別\\N")


def test_bytes_windows_never_writes_in_shift_jis_refuse_a_cp932_file():
    """Python's cp932 decodes 0xFF or 0x80 without an error; they come out as characters no log holds."""
    raw = mf.log_file(ROWS) + b"G3003,\xff\xfe\x80,,,,\r\n"
    result = log_import_run(source=mf.source(), filename="a.csv", content=raw)
    assert result.status == LogImport.Status.FAILED
    assert result.errors[0]["line"] == 5
    assert AccessEvent.objects.count() == 0
