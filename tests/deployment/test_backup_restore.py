"""Backup and restore as docs/deployment.md describes them: the restored database holds the same
data, the audit chain still verifies, and hotline reports are still only ciphertext.

Each test builds its own database in a separate process, files a hotline report through the real
services, backs the database up with the documented tool, restores it into a fresh database and
compares every table.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
MARKER = "BACKUPMARKER7f3a"

SETUP = f"""
from io import StringIO
from people.demo import load as load_people
from people.models import Person
from whistleblowing import reporter
load_people(StringIO())
from whistleblowing.demo import load as load_hotline
load_hotline(StringIO())  # designated by two people, with the demo key pair
reporter.report_submit(report=reporter.ReportInput(category="conduct_rules", what="{MARKER} 端末で閲覧"), uploads=[])
"""

SNAPSHOT = """
import json
from django.apps import apps
from django.db import connection
from whistleblowing.models import Case
rows = {m._meta.label: m.objects.count() for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.can_migrate(connection)}
cases = [bytes(c.content_box).hex() for c in Case.objects.order_by("pk")]
print(json.dumps({"rows": rows, "cases": cases}))
"""


def _env(database_url: str, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    return env


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _build(env: dict) -> dict:
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "shell", "-c", SETUP)
    return _snapshot(env)


def _snapshot(env: dict) -> dict:
    return json.loads(_manage(env, "shell", "-c", SNAPSHOT).strip().splitlines()[-1])


def _assert_same_and_encrypted(original: dict, restored: dict, env: dict, raw: bytes | None = None) -> None:
    assert restored == original
    assert original["rows"]["whistleblowing.Case"] == 1
    assert original["rows"]["audit.AuditEntry"] > 0
    assert MARKER.encode().hex() not in original["cases"][0]
    assert "Audit chain intact" in _manage(env, "verify_audit_log")
    if raw is not None:
        assert MARKER.encode() not in raw


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="the SQLite backup (SQLite run)"
)
def test_sqlite_backup_restores_the_same_data(tmp_path):
    source = tmp_path / "portal.sqlite3"
    env = _env(f"sqlite:///{source}", tmp_path)
    original = _build(env)
    backup = tmp_path / "backup.sqlite3"
    # What `sqlite3 db.sqlite3 ".backup 'file'"` does, through Python's binding of the same API.
    with sqlite3.connect(source) as live, sqlite3.connect(backup) as copy:
        live.backup(copy)
    restored_env = _env(f"sqlite:///{backup}", tmp_path)
    _assert_same_and_encrypted(original, _snapshot(restored_env), restored_env, raw=backup.read_bytes())


@pytest.mark.postgres
def test_postgres_dump_restores_the_same_data(tmp_path):
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    base = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    names = {"source": f"{base}_backup_src", "restored": f"{base}_backup_dst"}
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    urls = {key: urlunsplit(parts._replace(path=f"/{name}")) for key, name in names.items()}
    env = _env(urls["source"], tmp_path)
    original = _build(env)
    dump = tmp_path / "portal.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", urls["source"]], check=True, timeout=300)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={urls['restored']}", str(dump)], check=True, timeout=300)
    restored_env = _env(urls["restored"], tmp_path)
    _assert_same_and_encrypted(original, _snapshot(restored_env), restored_env, raw=dump.read_bytes())
