"""Issue 14 item 4: every file a hotline page asks for is under /hotline/ and gets no cookie back.

(The browser test tests/browser/test_hotline_requests.py records the real requests.)
"""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

REFERENCES = re.compile(r"""<(?:link|script|img|source|iframe)\b[^>]*?\b(?:href|src|srcset)="([^"]+)\"""")


def _references(html: str) -> list[str]:
    return REFERENCES.findall(html)


def test_public_hotline_pages_refer_only_to_files_under_hotline(handler):
    for path in ("/hotline/", "/hotline/followup/"):
        html = Client().get(path).content.decode()
        refs = _references(html)
        assert "/hotline/static/css/portal.css" in refs and "/hotline/static/whistleblowing/hotline.css" in refs
        assert any(ref.endswith("favicon.svg") for ref in refs)  # its own favicon: no /favicon.ico request
        assert [ref for ref in refs if not ref.startswith("/hotline/")] == []


def test_the_handlers_pages_refer_only_to_files_under_hotline(handler, handler_client):
    html = handler_client(handler).get("/hotline/cases/").content.decode()
    refs = _references(html)
    assert refs and [ref for ref in refs if not ref.startswith("/hotline/")] == []


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("css/portal.css", "text/css"),
        ("whistleblowing/hotline.css", "text/css"),
        ("whistleblowing/favicon.svg", "image/svg+xml"),
    ],
)
def test_hotline_assets_are_served_without_cookies_or_caching(name, content_type):
    client = Client(HTTP_COOKIE="sessionid=abc; csrftoken=def")
    response = client.get(f"/hotline/static/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert b"".join(response.streaming_content)
    assert response.cookies == {} or set(response.cookies) <= {"django_language"}
    assert response["Cache-Control"] == "no-store, max-age=0"


@pytest.mark.parametrize(
    "name", ["css/../../portal/settings/base.py", "admin/css/base.css", "quizzes/attempt.js", "../manage.py"]
)
def test_only_the_hotline_files_are_served(name):
    assert Client().get(f"/hotline/static/{name}").status_code == 404
