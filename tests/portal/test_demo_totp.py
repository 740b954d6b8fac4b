"""The demo can be tried without a phone: `make totp` prints the codes (issue 13)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from people.mfa import totp_code, totp_current_step
from people.models import Person
from tests.factories import people as people_factories

pytestmark = pytest.mark.django_db


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_production_settings_refuse_to_run_the_demo(settings):
    settings.PORTAL_DEMO_ALLOWED = False
    for args in ([], ["--print-logins"], ["--totp-email", "compliance@example.jp"]):
        with pytest.raises(CommandError):
            run_demo(*args)
    assert not Person.objects.exists()


def test_logins_say_how_to_get_a_code_without_a_phone(demo):
    out = run_demo("--print-logins")
    assert "make totp SECRET=" in out
    assert "make totp EMAIL=compliance@example.jp" in out


def test_code_from_the_enrolment_page_secret_enrols(client, demo):
    client.post(reverse("account_login"), {"login": "compliance@example.jp", "password": "portal-demo-2026"})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = run_demo("--totp-secret", secret).split()[0]
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302


def test_code_for_an_enrolled_demo_account_is_its_current_one(demo):
    compliance = Person.objects.get(email="compliance@example.jp")
    secret = people_factories.enrol_totp(compliance)
    assert run_demo("--totp-email", "compliance@example.jp").split()[0] == totp_code(secret, totp_current_step())


def test_codes_are_given_only_for_demo_accounts(make_person):
    person = make_person(email="someone@example.jp")
    people_factories.enrol_totp(person)
    with pytest.raises(CommandError):
        run_demo("--totp-email", "someone@example.jp")


def test_a_wrong_secret_is_explained():
    with pytest.raises(CommandError, match="not a TOTP secret"):
        run_demo("--totp-secret", "not base32!")


def test_once_the_current_code_is_used_the_next_unused_one_is_given(demo, time_machine):
    from allauth.mfa.models import Authenticator

    from people.mfa import totp_code_claim

    time_machine.move_to(1_800_000_000, tick=False)
    compliance = Person.objects.get(email="compliance@example.jp")
    secret = people_factories.enrol_totp(compliance)
    authenticator = Authenticator.objects.get(user=compliance, type=Authenticator.Type.TOTP)
    assert totp_code_claim(authenticator=authenticator, code=totp_code(secret, totp_current_step()))

    code = run_demo("--totp-email", "compliance@example.jp").split()[0]
    assert code == totp_code(secret, totp_current_step() + 1)
    assert totp_code_claim(authenticator=authenticator, code=code)  # accepted, not a replay
