"""The session-wide fixtures of the browser tests and the journeys: real portals (each on its own
database with demo data, served by gunicorn) and one Chromium.

`e2e_server` is shared by tests/browser, which may change its accounts (enrol MFA, read lessons);
`journey_server` is a second, untouched demo for tests/journeys, which start as a newcomer would.
Registered once in tests/conftest.py's `pytest_plugins`; import helpers from here, never the
fixtures (an imported fixture is a second definition, with a server of its own). Each server is
started on first use. On SQLite it uses
a file in a temporary folder; when the suite runs against PostgreSQL (DATABASE_URL set) it uses a
database of its own.
Playwright drives Debian's Chromium (/usr/bin/chromium); browsers are never downloaded.
"""

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.processes import ROOT, free_port, start_gunicorn, wait_until_serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DEMO_PASSWORD = "portal-demo-2026"


def _e2e_database_url(tmp: Path, suffix: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class E2EServer:
    url: str
    env: dict
    database_url: str
    email_dir: Path
    media_root: Path
    log_path: Path
    totp_secrets: dict = field(default_factory=dict)

    def manage(self, *args: str, check: bool = True) -> str:
        """Run a management command against the server's database and return its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    @property
    def db_path(self) -> Path | None:
        return Path(self.database_url.removeprefix("sqlite:///")) if self.database_url.startswith("sqlite") else None

    def forget_second_factors(self, email: str) -> None:
        """Put an account back to 'never enrolled' (tests share the server; some enrol, some need a first login)."""
        self.manage(
            "shell",
            "-c",
            "from allauth.mfa.models import Authenticator; "
            f"Authenticator.objects.filter(user__email={email!r}).delete()",
        )
        self.totp_secrets.pop(email, None)

    def emails(self) -> list[str]:
        return [p.read_text(errors="replace") for p in sorted(self.email_dir.glob("*.log"))]


@contextmanager
def running_portal(suffix: str):
    """A portal process on a database of its own (`<DATABASE_URL's name><suffix>` on PostgreSQL),
    migrated and loaded with the demo."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
    email_dir, media_root = tmp / "mail", tmp / "media"
    email_dir.mkdir()
    media_root.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": _e2e_database_url(tmp, suffix),
        "EMAIL_FILE_PATH": str(email_dir),
        "MEDIA_ROOT": str(media_root),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "PYTHONUNBUFFERED": "1",
    }
    server = E2EServer(
        url="",
        env=env,
        database_url=env["DATABASE_URL"],
        email_dir=email_dir,
        media_root=media_root,
        log_path=tmp / "server.log",
    )
    server.manage("migrate", "--no-input", "-v0")
    server.manage("demo")
    port = free_port()
    log = server.log_path.open("w")
    proc = start_gunicorn("portal.wsgi", port=port, env=env, log=log, workers=2)
    server.url = f"http://127.0.0.1:{port}"
    wait_until_serving(f"{server.url}/healthz", proc, log_path=server.log_path, what="portal")
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def e2e_server():
    """The demo portal the browser tests share (they may change its accounts, e.g. enrol MFA)."""
    with running_portal("_e2e") as server:
        yield server


@pytest.fixture(scope="session")
def journey_server():
    """A second, untouched demo portal for the journeys: they start as a newcomer would, so no
    browser test may have enrolled an account's MFA or read a lesson before them."""
    with running_portal("_journeys") as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
