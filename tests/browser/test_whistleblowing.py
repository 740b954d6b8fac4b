"""The hotline journey in a real browser against a real portal, then scans for anything identifying.

Acceptance 1: an anonymous visitor reports with an attachment and gets a receipt; the handler
unlocks their key, declares no conflict, acknowledges and writes; the visitor reads and
replies; the superuser gets 404. Acceptance 2 and 3: afterwards every table and column, the
raw database file, the server log, the cache, the e-mails and the media folder are searched
for the visitor's address, User-Agent and the marker strings of the report.
"""

import os
import re
import secrets
import sqlite3
import tempfile
from pathlib import Path

import pytest

from whistleblowing.demo import DEMO_HANDLER_PASSPHRASE

pytestmark = pytest.mark.browser

# Screenshots for people to look at; not compared by the tests.
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)

PASSPHRASE = DEMO_HANDLER_PASSPHRASE
TOKEN = secrets.token_hex(4)
CLIENT_IP = f"198.51.100.{secrets.randbelow(200) + 20}"
FORWARDED_FOR = f"{CLIENT_IP}, 203.0.113.{secrets.randbelow(200) + 20}"
USER_AGENT = f"HotlineProbe/{TOKEN} (X11; Linux) UniqueAgent{TOKEN}"
REPORT_MARKER = f"REPORTMARK{TOKEN}"
REPLY_MARKER = f"REPLYMARK{TOKEN}"
HANDLER_MARKER = f"HANDLERMARK{TOKEN}"
FILE_MARKER = f"FILEMARK{TOKEN}"
IDENTIFYING = [CLIENT_IP, f"UniqueAgent{TOKEN}", f"HotlineProbe/{TOKEN}"]
CONTENT = [REPORT_MARKER, REPLY_MARKER, HANDLER_MARKER, FILE_MARKER]


@pytest.fixture
def reporter_context(browser, e2e_server):
    context = browser.new_context(
        base_url=e2e_server.url,
        locale="ja-JP",
        user_agent=USER_AGENT,
        extra_http_headers={"X-Forwarded-For": FORWARDED_FOR, "X-Real-IP": CLIENT_IP},
    )
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def new_page(browser, e2e_server):
    contexts = []

    def make():
        context = browser.new_context(base_url=e2e_server.url, locale="ja-JP")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _file_report(page) -> str:
    page.goto("/hotline/")
    assert page.locator("form.hotline-form").is_visible(), page.content()
    page.check("input[name=category][value=conduct_rules]")
    page.fill("textarea[name=what]", f"共用カウンターのNW端末で新電力顧客情報を照会していた。{REPORT_MARKER}")
    page.fill("input[name=when]", "2026年10月")
    page.fill("input[name=where]", "営業所の共用カウンター")
    page.set_input_files(
        "input[name=attachments]",
        files=[{"name": "memo.txt", "mimeType": "text/plain", "buffer": f"端末メモ {FILE_MARKER}".encode()}],
    )
    page.screenshot(path=f"{SHOTS}/hotline-intake.png", full_page=True)
    page.locator("form.hotline-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    page.screenshot(path=f"{SHOTS}/hotline-receipt.png", full_page=True)
    code = page.locator(".receipt-code").get_attribute("data-receipt")
    assert code and re.fullmatch(r"[A-HJ-NP-Z2-9]{20}", code)
    # Shown in groups of four.
    assert page.locator(".receipt-group").count() == 5
    return code


def test_hotline_journey_and_nothing_identifying_is_kept(e2e_server, reporter_context, new_page, login_with_mfa, login):
    # The demo's designated handler has a key pair; its passphrase is printed with the logins.
    handler = new_page()
    login_with_mfa(handler, "handler@example.jp")
    handler.goto("/hotline/cases/")
    handler.locator("a.button[href='/hotline/cases/key/unlock/']").click()
    handler.fill("input[name=passphrase]", PASSPHRASE)
    handler.locator("form.hotline-form button[type=submit]").click()
    handler.wait_for_url("**/hotline/cases/")

    # An anonymous visitor files a report with an attachment and gets a receipt.
    reporter = reporter_context.new_page()
    code = _file_report(reporter)

    # Handlers hear of it from the batched run (cron), never at the moment of the report.
    assert "1 notification" in e2e_server.manage("hotline_notify")

    # The handler locks the key (as logging out would), then unlocks it with the passphrase.
    # (One login session: the shared login_with_mfa fixture cannot yet answer a second TOTP prompt.)
    handler.goto("/hotline/cases/")
    handler.locator("form[action='/hotline/cases/key/lock/'] button").click()
    handler.wait_for_load_state("domcontentloaded")
    handler.locator("a.button[href='/hotline/cases/key/unlock/']").click()
    handler.fill("input[name=passphrase]", "not the passphrase at all")
    handler.locator("form.hotline-form button[type=submit]").click()
    handler.wait_for_load_state("domcontentloaded")
    assert "/key/unlock/" in handler.url  # a wrong passphrase unlocks nothing
    handler.fill("input[name=passphrase]", PASSPHRASE)
    handler.locator("form.hotline-form button[type=submit]").click()
    handler.wait_for_url("**/hotline/cases/")
    handler.locator("table.data tbody a").first.click()
    handler.wait_for_url("**/conflict/")
    assert REPORT_MARKER not in handler.content()  # nothing is shown before the declaration
    handler.check("input[name=declaration][value=no]")
    handler.locator("form.hotline-form button[type=submit]").click()
    handler.wait_for_load_state("domcontentloaded")
    case_url = handler.url
    assert re.search(r"/hotline/cases/[0-9a-f-]{36}/$", case_url)
    assert REPORT_MARKER in handler.locator(".report-text").inner_text()
    with handler.expect_download() as download_info:
        handler.get_by_role("link", name="memo.txt").click()
    assert FILE_MARKER in Path(download_info.value.path()).read_text()
    handler.select_option("select[name=status]", "acknowledged")
    handler.locator("form[action$='/status/'] button[type=submit]").click()
    handler.wait_for_load_state("domcontentloaded")
    assert handler.locator("[data-status]").get_attribute("data-status") == "acknowledged"
    handler.check("input[name=kind][value=message]")
    handler.fill("form[action$='/entries/'] textarea[name=text]", f"どの端末か教えてください。{HANDLER_MARKER}")
    handler.locator("form[action$='/entries/'] button[type=submit]").click()
    handler.wait_for_load_state("domcontentloaded")
    handler.screenshot(path=f"{SHOTS}/hotline-case.png", full_page=True)

    # The visitor comes back with the receipt, reads the message and replies.
    reporter.goto("/hotline/followup/")
    reporter.fill("input[name=code]", "-".join(code[i : i + 4] for i in range(0, 20, 4)).lower())
    reporter.locator("form.hotline-form button[type=submit]").click()
    reporter.wait_for_load_state("domcontentloaded")
    assert HANDLER_MARKER in reporter.content()
    assert reporter.locator(".entry-notice").count() == 1  # the acknowledgement notice
    reporter.fill("textarea[name=text]", f"2番の端末です。{REPLY_MARKER}")
    reporter.locator("form.hotline-form button[value=reply]").click()
    reporter.wait_for_load_state("domcontentloaded")
    assert REPLY_MARKER in reporter.content()
    reporter.screenshot(path=f"{SHOTS}/hotline-followup.png", full_page=True)
    assert not [c for c in reporter_context.cookies() if c["name"] != "django_language"]

    handler.goto(case_url)
    assert REPLY_MARKER in handler.content()

    # The superuser is not a designated handler: the case does not exist for them.
    admin = new_page()
    login_with_mfa(admin, "admin@example.jp")
    assert admin.goto(case_url).status == 404
    assert admin.goto("/hotline/cases/").status == 404
    compliance = new_page()
    login_with_mfa(compliance, "compliance@example.jp")
    assert compliance.goto(case_url).status == 404

    _scan_everything(e2e_server)


# --- the scans (acceptance 2 and 3) ---------------------------------------------------------


def _hits(blob: bytes, needles: list[str]) -> list[str]:
    return [n for n in needles if n.encode() in blob or n.encode("utf-16-le") in blob]


def _table_values_sqlite(path: Path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from sqlite_master
                yield table, row


def _table_values_postgres(url: str):
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from pg_tables
                yield table, row


def _as_bytes(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


def _scan_everything(e2e_server):
    needles = IDENTIFYING + CONTENT
    found: list[str] = []

    # Every table and column of the portal's database.
    rows = (
        _table_values_sqlite(e2e_server.db_path)
        if e2e_server.db_path
        else _table_values_postgres(e2e_server.database_url)
    )
    scanned_tables = set()
    for table, row in rows:
        scanned_tables.add(table)
        for value in row:
            for hit in _hits(_as_bytes(value), needles):
                found.append(f"table {table}: {hit}")
    assert "whistleblowing_case" in scanned_tables and "whistleblowing_caseentry" in scanned_tables

    # The raw database file (SQLite: the file and its write-ahead log).
    if e2e_server.db_path:
        for path in e2e_server.db_path.parent.glob(e2e_server.db_path.name + "*"):
            found += [f"file {path.name}: {hit}" for hit in _hits(path.read_bytes(), needles)]

    # The server's log output.
    log = e2e_server.log_path.read_bytes()
    assert log  # the server did write its log here
    found += [f"log: {hit}" for hit in _hits(log, needles)]

    # Sent e-mails: the handler was told about the new case, without any content.
    emails = list(e2e_server.email_dir.glob("*"))
    assert emails, "no e-mail was written; the new-case notice is missing"
    for path in emails:
        found += [f"e-mail {path.name}: {hit}" for hit in _hits(path.read_bytes(), needles)]

    # The media folder: attachments exist only as ciphertext.
    media_files = [p for p in e2e_server.media_root.rglob("*") if p.is_file()]
    assert any(p.parent.name == "hotline" for p in media_files)
    for path in media_files:
        found += [f"media {path.name}: {hit}" for hit in _hits(path.read_bytes(), needles)]

    # The cache, when it is shared (Redis); a local-memory cache lives and dies in the server process.
    redis_url = e2e_server.env.get("REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(count=1000))
        assert keys  # sessions live in the cache with Redis, so it is not empty
        for key in keys:
            kind = client.type(key)
            value = client.dump(key) or b""
            found += [f"cache {key!r} ({kind!r}): {hit}" for hit in _hits(key + value, needles)]

    assert not found, found
