"""Issue 14 item 6 / acceptance 4: error reports and logs carry nothing from a hotline request.

With ADMINS set and DEBUG off, a POST to the hotline under a host name not in ALLOWED_HOSTS
makes Django log DisallowedHost with the request, which its AdminEmailHandler mails with GET,
POST, COOKIES and META. The outbox and the log output are scanned for the report text, the
identity field, a receipt code and every client header sent.
"""

import io
import logging
import logging.config
import secrets
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from portal.log_filters import HotlineRedactionFilter

pytestmark = pytest.mark.django_db

TOKEN = secrets.token_hex(4)
WHAT = f"WHATMARK{TOKEN} 部長が競合の顧客情報を閲覧していた"
IDENTITY = f"IDENTITYMARK{TOKEN} 営業部 田中"
RECEIPT = "KQ7M-ZX4P-HD9T-WRB3-NC6F"
HEADERS = {
    "HTTP_X_ORIGINATING_IP": f"203.0.113.{secrets.randbelow(200) + 20}",
    "HTTP_X_AUTHENTICATED_USER": f"authuser{TOKEN}@example.jp",
    "HTTP_X_FORWARDED_USER": f"fwduser{TOKEN}",
    "HTTP_X_FORWARDED_FOR": f"198.51.100.{secrets.randbelow(200) + 20}",
    "HTTP_USER_AGENT": f"UniqueAgent{TOKEN}",
    "HTTP_REFERER": f"https://intranet.example/me/{TOKEN}",
    "HTTP_COOKIE": f"sessionid=sess{TOKEN}; csrftoken=csrf{TOKEN}",
}
SECRETS = [WHAT, f"WHATMARK{TOKEN}", f"IDENTITYMARK{TOKEN}", RECEIPT, RECEIPT.replace("-", ""), *HEADERS.values()]
SECRETS += [f"sess{TOKEN}", f"csrf{TOKEN}", f"authuser{TOKEN}", f"fwduser{TOKEN}"]


@pytest.fixture
def log_output(settings, monkeypatch):
    """The portal's own LOGGING, writing to a buffer we can read, with ADMINS set and DEBUG off."""
    settings.ADMINS = [("Operations", "ops@example.jp")]
    settings.DEBUG = False
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    logging.config.dictConfig(django_settings.LOGGING)
    yield buffer
    monkeypatch.undo()
    logging.config.dictConfig(django_settings.LOGGING)


def _scan(texts):
    found = [(secret, text[:200]) for text in texts for secret in SECRETS if secret.lower() in text.lower()]
    assert found == []


def test_disallowed_host_post_to_the_hotline_mails_and_logs_nothing_identifying(log_output):
    client = Client(HTTP_HOST="evil.example", **HEADERS)
    response = client.post(
        f"/hotline/followup/?code={RECEIPT}",
        {"what": WHAT, "identity": IDENTITY, "code": RECEIPT, "when": "2026年10月", "category": "conduct_rules"},
    )
    assert response.status_code == 400
    response = client.post("/hotline/", {"what": WHAT, "identity": IDENTITY, "category": "conduct_rules"})
    assert response.status_code == 400
    # Django did report the errors: to the admins, and in the log.
    assert len(mail.outbox) == 2
    assert all("DisallowedHost" in message.body for message in mail.outbox)
    assert "Invalid HTTP_HOST header" in log_output.getvalue()
    _scan(
        [
            *(message.subject for message in mail.outbox),
            *(message.body for message in mail.outbox),
            *(alternative[0] for message in mail.outbox for alternative in getattr(message, "alternatives", [])),
            log_output.getvalue(),
        ]
    )


def test_hotline_urls_lose_their_query_and_receipts_are_blanked_in_any_log(log_output):
    # What runserver writes for a request (gunicorn's access log is off in production).
    logging.getLogger("django.server").warning(
        '"%s" %s %s', f"GET /hotline/followup/?code={RECEIPT} HTTP/1.1", "404", "179"
    )
    logging.getLogger("portal.anything").error("someone pasted %s somewhere", RECEIPT.lower().replace("-", " "))
    output = log_output.getvalue()
    assert "GET /hotline/followup/?[redacted] HTTP/1.1" in output
    assert "someone pasted [redacted] somewhere" in output
    _scan([output])


def test_every_configured_handler_and_logger_has_the_filter(log_output):
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in django_settings.LOGGING["loggers"])]
    for logger in loggers:
        assert any(isinstance(f, HotlineRedactionFilter) for f in logger.filters), logger.name
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue  # pytest's own capture handler, not the portal's
            assert any(isinstance(f, HotlineRedactionFilter) for f in handler.filters), (logger.name, handler)
