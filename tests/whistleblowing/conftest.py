import pytest
from django.test import Client

from people.roles import DESIGNATED_HANDLERS
from tests.factories import hotline as hotline_factories
from whistleblowing import handlers, reporter

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hotline_crypto(fast_hotline_crypto):
    """Every hotline test: see tests/conftest.py."""
    return fast_hotline_crypto


@pytest.fixture
def compliance(mfa_user):
    return mfa_user("compliance_editors", email="compliance-officer@example.jp")


@pytest.fixture
def make_handler(mfa_user, compliance):
    """A designated handler with TOTP and, unless with_key=False, a key pair."""

    def make(email=None, *, with_key=True):
        kwargs = {"email": email} if email else {}
        person = mfa_user(DESIGNATED_HANDLERS, **kwargs)
        hotline_factories.designate(person=person, by=compliance)
        if with_key:
            person.recovery_key = handlers.handler_key_setup(person=person, passphrase=PASSPHRASE)
        return person

    return make


@pytest.fixture
def handler(make_handler):
    return make_handler("handler-one@example.jp")


@pytest.fixture
def file_report():
    def do(*, what="Someone looked at competitors' customer data.", excluded=(), uploads=(), **extra):
        report = reporter.ReportInput(
            category=extra.pop("category", "conduct_rules"),
            what=what,
            excluded_handler_ids=[p.pk for p in excluded],
            **extra,
        )
        return reporter.report_submit(report=report, uploads=list(uploads))

    return do


@pytest.fixture
def handler_client():
    """A logged-in client for a handler whose key is unlocked in the session."""

    def make(person, *, unlock=True):
        client = Client()
        client.force_login(person)
        if unlock:
            response = client.post("/hotline/cases/key/unlock/", {"passphrase": PASSPHRASE})
            assert response.status_code == 302, response.content
        return client

    return make


def private_key(person) -> bytes:
    return handlers.handler_key_unlock(person=person, passphrase=PASSPHRASE)
