"""Security headers on every kind of page, and what production settings add (HSTS, secure cookies)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse

from portal.middleware import SecurityHeadersMiddleware
from tests.csp_policy import ADMIN_CSP, SITE_CSP, directives

ROOT = Path(__file__).resolve().parents[2]


def test_site_csp_has_no_inline_script_eval_or_other_origin():
    site = directives(SITE_CSP)
    assert site["script-src"] == ["'self'"]
    assert site["style-src"] == ["'self'"]
    assert site["object-src"] == ["'none'"]
    assert site["frame-ancestors"] == ["'none'"]
    for csp in (SITE_CSP, ADMIN_CSP):
        assert "'unsafe-eval'" not in csp
        assert "http" not in csp and "*" not in csp and "blob:" not in csp and "data:" not in csp
        assert directives(csp)["default-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/certificates/verify/", "/healthz/live"])
def test_public_pages_send_the_strict_csp_and_the_other_headers(client, path):
    response = client.get(path)
    assert directives(response["Content-Security-Policy"]) == directives(SITE_CSP)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_admin_pages_send_the_admin_csp(client, mfa_user):
    client.force_login(mfa_user("site_administrators", is_superuser=True, is_staff=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(ADMIN_CSP)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_policy_replaces_the_sites_on_a_preview_of_a_page(rf):
    """Wagtail's live preview renders the page through an inner request for the page's own URL,
    whose response already carries the site's policy (frame-ancestors 'none')."""
    inner = HttpResponse("page")
    inner["Content-Security-Policy"] = SITE_CSP
    middleware = SecurityHeadersMiddleware(lambda request: inner)

    response = middleware(rf.get("/admin/pages/3/edit/preview/"))

    assert directives(response["Content-Security-Policy"]) == directives(ADMIN_CSP)


PRODUCTION_PROBE = """
import json
import django
from django.conf import settings
django.setup()
from django.test import Client
response = Client().get("/healthz/live", secure=True, headers={"host": "portal.example.jp"})
insecure = Client().get("/healthz/live", headers={"host": "portal.example.jp"})
print(json.dumps({
    "hsts": response.get("Strict-Transport-Security"),
    "redirect": [insecure.status_code, insecure.get("Location")],
    "settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "DEBUG",
    )},
}))
"""


def test_production_sends_hsts_and_marks_cookies_secure(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "PORTAL_MFA_KEY": secrets.token_urlsafe(40),
        "AUDIT_CHECKPOINT_VERIFY_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "ALLOWED_HOSTS": "portal.example.jp",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    }
    env.pop("SECURE_HSTS_SECONDS", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    # One year, all subdomains of the portal's host, and eligible for the browsers' preload list.
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["redirect"] == [301, "https://portal.example.jp/healthz/live"]
    assert probe["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "DEBUG": False,
    }
