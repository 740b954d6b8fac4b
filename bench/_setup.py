"""Shared set-up for benchmarks: a throw-away database, migrated, with Django configured."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit


def bench_django(label: str) -> str:
    """Point Django at a fresh benchmark database and set it up; returns a description of it."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/')}_bench_{label}"
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        where = f"PostgreSQL ({name})"
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="bench-"), "bench.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        where = f"SQLite ({path})"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return where
