"""Intake limits that need no client data: the form's age, and one global ceiling per time window."""

import secrets
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from whistleblowing import limits, tokens
from whistleblowing.models import Case, IntakeNonce

pytestmark = pytest.mark.django_db

TOO_SOON = "入力内容を少し見直してから、もう一度送信してください。"
EXPIRED = "フォームの有効期限が切れました。"
BUSY = "ただいま通報窓口に通常より多くの通報が寄せられているため"
FALLBACK = "社外の弁護士が運営する企業倫理相談窓口"


class _SignedAt(signing.TimestampSigner):
    """Signs like tokens.intake_token(), but as if at another time (no clock patching)."""

    def __init__(self, at: float, **kwargs):
        super().__init__(**kwargs)
        self.at = at

    def timestamp(self):
        return signing.b62_encode(int(self.at))


def _token(age_seconds: float) -> str:
    return _SignedAt(time.time() - age_seconds, salt=tokens.INTAKE_SALT).sign_object({"n": secrets.token_hex(16)})


@pytest.fixture
def production_limits(settings):
    settings.HOTLINE_INTAKE_MIN_SECONDS = 10
    settings.HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS = 4 * 60 * 60
    settings.HOTLINE_INTAKE_LIMIT = 2
    # A window far longer than the test, so it never rolls over halfway.
    settings.HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS = 10**9
    cache.delete(limits._key(time.time()))
    yield settings
    cache.delete(limits._key(time.time()))


def _report(client, token, what="誰かが他社の顧客情報を見ていました。"):
    return client.post(
        "/hotline/",
        {"form_token": token, "category": "conduct_rules", "what": what},
        HTTP_ACCEPT_LANGUAGE="ja",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="rate-limit-test-agent",
    )


def test_a_form_sent_within_seconds_of_being_served_is_not_filed(handler, production_limits):
    client = Client()
    token = _token(age_seconds=2)
    response = _report(client, token)
    assert response.status_code == 200
    assert TOO_SOON in response.content.decode()
    assert "誰かが他社の顧客情報を見ていました。" in response.content.decode()  # the entries stay
    assert Case.objects.count() == 0 and IntakeNonce.objects.count() == 0
    # The page carries a fresh form; once it is old enough the report goes through.
    assert _report(client, _token(age_seconds=11)).context["receipt"]
    assert Case.objects.count() == 1


def test_a_form_older_than_the_maximum_age_is_not_filed(handler, production_limits):
    response = _report(Client(), _token(age_seconds=4 * 60 * 60 + 5))
    assert EXPIRED in response.content.decode()
    assert Case.objects.count() == 0
    assert _report(Client(), _token(age_seconds=4 * 60 * 60 - 60)).context["receipt"]


def test_the_global_ceiling_refuses_calmly_and_names_the_other_channel(handler, production_limits):
    for n in range(2):
        assert _report(Client(), _token(age_seconds=30), what=f"通報{n}").context["receipt"]
    response = _report(Client(), _token(age_seconds=30), what="三件目の通報")
    body = response.content.decode()
    assert response.status_code == 429
    assert BUSY in body and FALLBACK in body
    assert "三件目の通報" in body  # the reporter's text is still on the page
    assert 0 < int(response["Retry-After"]) <= production_limits.HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS
    assert Case.objects.count() == 2
    assert IntakeNonce.objects.count() == 2  # the refused form can still be sent later
    # The counter is one number per window: nothing about the reporter in its key or value.
    key = limits._key(time.time())
    assert key == f"hotline:intake-ceiling:{int(time.time()) // 10**9}"
    assert cache.get(key) == 3


def test_the_ceiling_is_per_window_and_can_be_switched_off(settings, production_limits):
    settings.HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS = 600
    start = 600 * 1_000_000  # a window boundary
    assert [limits.intake_allowed(now=start + i) for i in range(3)] == [True, True, False]
    assert limits.retry_after_seconds(now=start + 2) == 598
    assert limits.intake_allowed(now=start + 600)  # the next window starts afresh
    settings.HOTLINE_INTAKE_LIMIT = 0
    assert all(limits.intake_allowed(now=start + 1) for _ in range(5))
    for window in (start, start + 600):
        cache.delete(limits._key(window))


def test_an_unreachable_cache_leaves_the_hotline_open(production_limits):
    # django-redis with IGNORE_EXCEPTIONS answers None when Redis is down.
    with (
        mock.patch.object(limits.cache, "add", return_value=None),
        mock.patch.object(limits.cache, "incr", return_value=None),
    ):
        assert all(limits.intake_allowed() for _ in range(5))


def test_production_defaults():
    from portal.settings import base

    assert base.HOTLINE_INTAKE_MIN_SECONDS == 10
    assert base.HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS == 4 * 60 * 60
    assert (base.HOTLINE_INTAKE_LIMIT, base.HOTLINE_INTAKE_LIMIT_WINDOW_SECONDS) == (60, 600)


def test_the_maximum_age_cannot_outlive_the_used_form_records(settings):
    from whistleblowing import reporter

    settings.HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60
    assert tokens.intake_token_max_age() == reporter.INTAKE_NONCE_KEEP_SECONDS
    settings.HOTLINE_INTAKE_TOKEN_MAX_AGE_SECONDS = 60 * 60
    assert tokens.intake_token_max_age() == 60 * 60
