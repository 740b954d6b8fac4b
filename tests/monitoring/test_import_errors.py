"""An import's errors are stored as codes and worded in the language of whoever reads the page,
not in the language the task worker ran in; entries stored before the codes still show."""

import pytest
from django.test import Client
from django.utils import translation

from monitoring import importing
from monitoring.importing import log_import_process, log_import_receive, log_import_run
from monitoring.models import LogImport
from people.roles import COMPLIANCE_AUDITORS
from tests.factories import monitoring as mf

pytestmark = pytest.mark.django_db

BAD_TIME = ("G1001", "2022-13-05 09:00:00", "HC-01", "契約情報", "0300001", "1")
NO_ACCOUNT = ("", "2022-01-05 09:00:00", "HC-01", "契約情報", "0300002", "1")
GOOD = ("G1001", "2022-01-05 09:00:00", "HC-01", "契約情報", "0300003", "1")


@pytest.fixture
def reader(mfa_user):
    """An auditor's client; `reader("en")` reads the portal in English."""
    auditor = mfa_user(COMPLIANCE_AUDITORS, email="audit@example.jp")

    def client(language: str) -> Client:
        c = Client()
        c.force_login(auditor)
        c.cookies["django_language"] = language
        return c

    return client


def page(client: Client, log_import: LogImport) -> str:
    response = client.get(f"/monitoring/imports/{log_import.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_bad_lines_are_worded_in_the_readers_language(reader):
    # The worker runs in Japanese, the portal's default.
    with translation.override("ja"):
        result = log_import_run(source=mf.source(), filename="a.csv", content=mf.log_file([BAD_TIME, NO_ACCOUNT, GOOD]))
    english = page(reader("en"), result)
    assert "The time “2022-13-05 09:00:00” does not match the format %Y-%m-%d %H:%M:%S." in english
    assert "<td>The user id is empty.</td>" in english
    assert "利用者IDが空です" not in english and "書式" not in english
    japanese = page(reader("ja"), result)
    assert "日時「2022-13-05 09:00:00」が書式 %Y-%m-%d %H:%M:%S に合いません。" in japanese
    assert "利用者IDが空です。" in japanese
    assert "The user id is empty." not in japanese


def test_a_refusal_is_worded_in_the_readers_language(reader):
    header = [h if h != "端末番号" else "端末" for h in mf.HEADER]
    with translation.override("ja"):
        result = log_import_run(source=mf.source(), filename="a.csv", content=mf.log_file([GOOD], header=header))
    assert result.status == LogImport.Status.FAILED
    english = page(reader("en"), result)
    # The column's name comes from the file and stays as it is, unmarked: the sentence is the page's.
    assert "<td>The file has no column “端末番号” (the header reads: " in english
    assert "Nothing was stored.</td>" in english
    assert "何も保存していません" not in english
    assert "ファイルに列 “端末番号” がありません" in page(reader("ja"), result)


def test_an_internal_error_is_worded_in_the_readers_language(reader, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the rules broke")

    monkeypatch.setattr(importing, "rules_run", fail)
    log_import, _new = log_import_receive(source=mf.source(), filename="a.csv", content=mf.log_file([GOOD]))
    with translation.override("ja"), pytest.raises(RuntimeError):
        log_import_process(log_import=log_import, content=mf.log_file([GOOD]))
    log_import.refresh_from_db()
    assert log_import.status == LogImport.Status.FAILED
    assert [(e["line"], e["code"]) for e in log_import.errors] == [(0, "internal")]
    assert "The import stopped on an internal error; nothing was stored." in page(reader("en"), log_import)
    assert "内部エラーで取込みが止まりました" in page(reader("ja"), log_import)


def test_the_stored_errors_do_not_depend_on_the_language_the_import_ran_in():
    stored = []
    for n, language in enumerate(("ja", "en")):
        source = mf.source(f"takuso{n}")
        with translation.override(language):
            stored.append(log_import_run(source=source, filename="a.csv", content=mf.log_file([BAD_TIME])).errors)
    assert stored[0] == stored[1]
    assert stored[0][0]["code"] == "bad_time"


def test_an_entry_stored_before_the_codes_shows_its_message(reader):
    legacy = "日時「2022-13-05」が書式 %Y-%m-%d に合いません。"
    log_import = LogImport.objects.create(
        source=mf.source(),
        filename="old.csv",
        sha256="0" * 64,
        status=LogImport.Status.DONE,
        errors=[{"line": 7, "message": legacy}],
    )
    # In an English page the Japanese sentence is marked as Japanese; the line is there either way.
    english = page(reader("en"), log_import)
    assert f'<span lang="ja">{legacy}</span>' in english
    assert '<td class="num">7</td>' in english
    assert legacy in page(reader("ja"), log_import)
