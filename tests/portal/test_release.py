"""Markup cached by one release is not served by the next (portal/release.py)."""

from unittest import mock

import pytest
from django.conf import settings

from people.models import Person
from portal import release as release_module
from portal import shared_pages

RULE_URL = "/rules/switching/"


@pytest.fixture
def fresh_release():
    release_module.release.cache_clear()
    yield
    release_module.release.cache_clear()


def test_the_release_is_named_by_the_environment_or_digests_the_projects_own_files(monkeypatch, fresh_release):
    monkeypatch.setenv("PORTAL_RELEASE", "2026.11.30-31dfd65")
    assert release_module.release() == "2026.11.30-31dfd65"

    release_module.release.cache_clear()
    monkeypatch.delenv("PORTAL_RELEASE")
    files = release_module._release_files()
    names = {str(path.relative_to(settings.BASE_DIR)) for path in files}
    assert "templates/base.html" in names
    assert "portal/templates/portal/rule_page.html" in names
    assert "locale/ja/LC_MESSAGES/django.po" in names
    assert not any(name.startswith((".venv", "var/")) or name.endswith(".mo") for name in names)
    assert len(release_module.release()) == 16


@pytest.mark.django_db
def test_a_new_release_renders_a_shared_page_afresh(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    for _ in range(3):  # walked, cached, shared
        client.get(RULE_URL)
    with mock.patch.object(shared_pages, "render_to_string", wraps=shared_pages.render_to_string) as render:
        client.get(RULE_URL)
        assert not render.called
        with mock.patch.object(shared_pages, "release", return_value="next-release"):
            client.get(RULE_URL)
        assert [c for c in render.call_args_list if c.args[0] == "portal/rule_page.html"]
