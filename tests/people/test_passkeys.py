"""Passkeys (allauth's WebAuthn) for everyone, and the preferred second factor for compliance staff,
handlers and administrators (issue 17). Registering and signing in with one in Chromium:
tests/browser/test_passkeys.py."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from people import roles

pytestmark = pytest.mark.django_db

PASSWORD = "portal-demo-2026"  # tests/factories/people.py

PRIVILEGED = [
    pytest.param({"groups": (roles.COMPLIANCE_EDITORS,)}, id="compliance"),
    pytest.param({"groups": (roles.DESIGNATED_HANDLERS,)}, id="handler"),
    pytest.param({"groups": (roles.SITE_ADMINISTRATORS,)}, id="site-administrator"),
    pytest.param({"is_staff": True, "is_superuser": True}, id="superuser"),
]


@pytest.mark.parametrize("kind", PRIVILEGED)
def test_privileged_roles_are_offered_a_passkey_first_when_they_enrol(client, make_person, kind):
    person = make_person(**kind)
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    enrolment = client.get("/", follow=True)

    assert enrolment.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    html = enrolment.content.decode()
    passkey_link = html.find(f'href="{reverse("mfa_add_webauthn")}"')
    totp_form = html.find(f'action="{reverse("mfa_activate_totp")}"')
    # The passkey comes before the authenticator-app form on the page they are sent to.
    assert 0 <= passkey_link < totp_form, (passkey_link, totp_form)
    assert re.search(r"mfa-passkey-preferred", html)
    # ... and the link leads to the passkey form itself, not back to enrolment or to a password prompt.
    add = client.get(reverse("mfa_add_webauthn"))
    assert add.status_code == 200 and "passwordless" in add.content.decode()


@pytest.mark.parametrize("kind", PRIVILEGED)
def test_a_passkey_alone_is_the_second_factor_privileged_roles_need(client, make_person, kind):
    person = make_person(**kind)
    Authenticator.objects.create(user=person, type=Authenticator.Type.WEBAUTHN, data={"name": "ノートPC"})
    client.force_login(person)

    response = client.get("/")

    assert response.status_code == 200


def test_anyone_may_add_a_passkey(client, make_person):
    person = make_person()  # a sales person, no role that requires MFA
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    response = client.get(reverse("mfa_add_webauthn"))

    assert response.status_code == 200 and "passwordless" in response.content.decode()
