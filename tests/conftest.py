import pytest
from django.db import connection

from tests.factories import people as people_factories

# The real OpenID Connect provider of the SSO tests (tests/oidc_provider), started on first use;
# the demo portal and Chromium that tests/browser and tests/journeys share (one per session).
pytest_plugins = ["tests.oidc_provider.fixtures", "tests.e2e"]


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only when the suite runs against PostgreSQL."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests (and on
    SQLite reuses primary keys), so anything remembered by an earlier test would describe rows
    that no longer exist."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def fast_hotline_crypto(settings, tmp_path):
    """Argon2id at its minimum cost keeps the suite fast; media goes to per-test folders."""
    settings.HOTLINE_HANDLER_KDF_OPSLIMIT = 1
    settings.HOTLINE_HANDLER_KDF_MEMLIMIT = 8192
    settings.HOTLINE_RECEIPT_KDF_OPSLIMIT = 1
    settings.HOTLINE_RECEIPT_KDF_MEMLIMIT = 8192
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings


@pytest.fixture
def make_person(db):
    """Factory for people; see tests/factories/people.py for the arguments."""
    return people_factories.person


@pytest.fixture
def mfa_user(db):
    """A person in the given groups who has already enrolled TOTP, so staff pages let them in."""

    def make(*groups: str, **kwargs):
        p = people_factories.person(groups=groups, **kwargs)
        people_factories.enrol_totp(p)
        return p

    return make


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def base_settings_under(monkeypatch):
    """`portal.settings.base` as a process started with these environment variables loads it;
    the module is loaded again as it was before the fixture returns its values."""
    import importlib
    from types import SimpleNamespace

    from portal.settings import base

    def load(**environ: str) -> SimpleNamespace:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        try:
            return SimpleNamespace(**vars(importlib.reload(base)))
        finally:
            monkeypatch.undo()
            importlib.reload(base)

    return load
