"""allauth's limit on failed logins, with the production rates (the test settings switch it off)."""

import socket

import pytest
from allauth.core.internal.ratelimit import get_cache_key, parse_rate
from django.conf import settings as django_settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.settings import base

pytestmark = pytest.mark.django_db

PASSWORD = "a-correct-password-2026"
BLOCKED = "ログイン失敗が連続しています。時間が経ってからやり直してください。"


@pytest.fixture
def rate_limited(settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password}, HTTP_ACCEPT_LANGUAGE="ja")


def _failure_history(email: str):
    """What allauth keeps for an address's failed logins: a list of times in the default cache."""
    request = RequestFactory().get("/")
    rate = parse_rate("5/5m/key")
    key = f"{get_current_site(request).domain}:{email}"
    return cache.get(get_cache_key(request, app="allauth.account", action="login_failed", rate=rate, key=key))


def test_repeated_failed_logins_are_blocked_with_a_japanese_message(rate_limited, make_person):
    person = make_person(email="target@example.jp", password=PASSWORD)
    client = Client()
    for _ in range(5):
        response = _login(client, person.email, "wrong-password-123")
        assert response.status_code == 200
        assert BLOCKED not in response.content.decode()
    # The sixth attempt is refused before the password is even checked: the right one fails too.
    response = _login(client, person.email, PASSWORD)
    assert response.status_code == 200
    assert BLOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session

    # The failures are counted in the default cache (Redis when REDIS_URL is set, as in
    # production and in CI's second run); without them the right password works again.
    assert len(_failure_history(person.email.lower())) == 5
    cache.clear()
    response = _login(client, person.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_failures_for_one_address_do_not_block_another(rate_limited, make_person):
    other = make_person(email="bystander@example.jp", password=PASSWORD)
    client = Client()
    for _ in range(5):
        _login(client, "target@example.jp", "wrong-password-123")
    assert _login(client, other.email, PASSWORD).status_code == 302
    assert django_settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"


def test_the_production_rates():
    assert base.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert base.ACCOUNT_RATE_LIMITS["reset_password"] == "5/m/ip,3/m/key"


def _unreachable_redis(backend: str) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again once the socket is: connections are refused
    options = {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    return {"default": {"BACKEND": backend, "LOCATION": f"redis://127.0.0.1:{port}/0", "OPTIONS": options}}


@pytest.mark.parametrize(
    ("backend", "status"),
    [
        # Plain django-redis reads its own ignored failure in add() as "lock taken": everyone is refused.
        ("django_redis.cache.RedisCache", 429),
        # The portal's backend fails open: people can log in while Redis is down (unlimited until it is back).
        ("infrastructure.cache_backends.RedisCache", 302),
    ],
)
def test_login_while_redis_is_down(settings, rate_limited, make_person, backend, status):
    person = make_person(email="redis-down@example.jp", password=PASSWORD)
    settings.CACHES = _unreachable_redis(backend)
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    assert _login(Client(), person.email, PASSWORD).status_code == status


def test_production_uses_the_fail_open_backend(base_settings_under):
    caches = base_settings_under(REDIS_URL="redis://127.0.0.1:6379/0").CACHES
    assert caches["default"]["BACKEND"] == "infrastructure.cache_backends.RedisCache"
    assert caches["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True


def test_behind_the_load_balancer_each_client_has_its_own_address_limit(settings, rate_limited, make_person):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    person = make_person(email="colleague@example.jp", password=PASSWORD)
    client = Client(REMOTE_ADDR="10.0.0.2")  # the load balancer
    for n in range(10):  # ten failures from one client, spread over two names (under 5 each)
        client.post(
            reverse("account_login"),
            {"login": f"guess{n % 2}@example.jp", "password": "wrong-password-123"},
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    blocked = client.post(
        reverse("account_login"),
        {"login": "guess3@example.jp", "password": "x"},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert BLOCKED in blocked.content.decode()
    colleague = Client(REMOTE_ADDR="10.0.0.2").post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert colleague.status_code == 302
