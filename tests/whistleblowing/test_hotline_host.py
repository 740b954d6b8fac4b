"""The hotline on a host name of its own (HOTLINE_BASE_URL): no portal cookie is ever sent with it.

A browser sends a host's cookies with every request to that host, so only a host the portal
never serves (and so never sets a cookie for) keeps the employee's session cookie out of every
hotline request, the first one included.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HOTLINE = "https://hotline.example.jp"


@pytest.fixture
def separate_host(settings):
    settings.HOTLINE_BASE_URL = HOTLINE
    settings.ALLOWED_HOSTS = ["testserver", "hotline.example.jp"]


def test_the_portal_links_to_the_hotline_host(separate_host, make_person):
    client = Client()
    client.force_login(make_person())
    html = client.get("/training/", follow=True).content.decode()
    assert f'href="{HOTLINE}/hotline/"' in html
    assert 'href="/hotline/"' not in html


def test_a_reporter_on_the_portal_host_is_sent_to_the_hotline_host(separate_host):
    response = Client().get("/hotline/followup/")
    assert response.status_code == 302
    assert response["Location"] == f"{HOTLINE}/hotline/followup/"


def test_the_hotline_host_serves_the_hotline_and_nothing_else(separate_host, handler):
    client = Client(HTTP_HOST="hotline.example.jp")
    assert client.get("/hotline/").status_code == 200
    assert client.get("/hotline/static/css/portal.css").status_code == 200
    for path in ("/", "/accounts/login/", "/training/", "/hotline/cases/", "/admin/", "/static/css/portal.css"):
        assert client.get(path).status_code == 404, path


def test_the_handlers_pages_and_the_hotline_files_stay_on_the_portal_host(separate_host, handler, handler_client):
    client = handler_client(handler)
    assert client.get("/hotline/cases/").status_code == 200
    assert client.get("/hotline/static/whistleblowing/hotline.css").status_code == 200


def test_without_a_hotline_host_everything_stays_on_the_portal_host(handler):
    assert Client().get("/hotline/").status_code == 200
