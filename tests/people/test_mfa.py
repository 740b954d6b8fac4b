"""MFA as a real person meets it: first login, enrolment, later logins (issue 13, issue 14 item 3)."""

import secrets
import time

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from people.mfa import totp_code
from tests.factories import people as people_factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-123"


@pytest.fixture
def compliance(make_person):
    person = make_person(groups=("compliance_editors",))
    person.set_password(PASSWORD)
    person.save()
    return person


def _log_in(client, person):
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _secret_on_page(client) -> str:
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return response.context["form"].secret


def _now_step() -> int:
    return int(time.time()) // 30


def test_first_login_goes_straight_to_enrolment_without_asking_the_password_again(client, compliance):
    response = _log_in(client, compliance)
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "reauthenticate" not in response.redirect_chain[-1][0]


def test_changing_an_existing_factor_still_asks_for_the_password(client, compliance):
    people_factories.enrol_totp(compliance)
    client.force_login(compliance)
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_reauthentication_page_says_why(client, compliance):
    people_factories.enrol_totp(compliance)
    client.force_login(compliance)
    html = client.get(reverse("account_reauthenticate")).content.decode()
    assert "2段階認証" in html or "second factor" in html


def test_favicon_is_served_and_never_sent_to_enrolment(client, compliance):
    _log_in(client, compliance)
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_the_favicon(client, compliance):
    _log_in(client, compliance)
    html = client.get(reverse("account_reauthenticate")).content.decode()
    assert 'rel="icon"' in html


def test_enrolment_secret_survives_background_requests(client, compliance):
    _log_in(client, compliance)
    secret = _secret_on_page(client)
    # What the browser does behind the person's back while they type the code.
    client.get("/favicon.ico")
    client.get("/static/css/portal.css")
    client.get("/")
    assert _secret_on_page(client) == secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, _now_step())})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=compliance, type=Authenticator.Type.TOTP).exists()


def test_asking_for_a_new_secret_changes_it(client, compliance):
    _log_in(client, compliance)
    secret = _secret_on_page(client)
    response = client.post(reverse("mfa_totp_secret_renew"))
    assert response.status_code == 302
    assert _secret_on_page(client) != secret


def test_staff_navigation_is_hidden_until_enrolment(client, compliance):
    _log_in(client, compliance)
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "/admin/" not in html
    people_factories.enrol_totp(compliance)
    html = client.get(reverse("mfa_index")).content.decode()
    assert "/admin/" in html


def _authenticate(client, person, code: str):
    client.post(reverse("account_logout"))
    _log_in(client, person)
    return client.post(reverse("mfa_authenticate"), {"code": code})


def test_a_totp_code_is_good_once_for_its_whole_window(client, compliance, time_machine):
    time_machine.move_to(1_800_000_000, tick=False)
    secret = people_factories.enrol_totp(compliance)
    code = totp_code(secret, _now_step())

    response = _authenticate(client, compliance, code)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert _authenticate(client, compliance, code).status_code == 200  # refused
    # allauth forgot the code after one period; with a tolerance of one step it still validates.
    time_machine.move_to(1_800_000_031, tick=False)
    response = _authenticate(client, compliance, code)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_code_is_accepted_after_one_was_used(client, compliance, time_machine):
    time_machine.move_to(1_800_000_000, tick=False)
    secret = people_factories.enrol_totp(compliance)
    assert _authenticate(client, compliance, totp_code(secret, _now_step())).status_code == 302
    time_machine.move_to(1_800_000_031, tick=False)
    assert _authenticate(client, compliance, totp_code(secret, _now_step())).status_code == 302


def test_totp_secret_is_stored_encrypted(compliance):
    secret = people_factories.enrol_totp(compliance)
    stored = Authenticator.objects.get(user=compliance, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    assert stored != secret


def test_secret_cannot_be_read_with_another_key(compliance, settings):
    from allauth.mfa.adapter import get_adapter

    people_factories.enrol_totp(compliance)
    stored = Authenticator.objects.get(user=compliance, type=Authenticator.Type.TOTP).data["secret"]
    settings.PORTAL_MFA_KEY = "another-key-that-is-not-the-right-one"
    with pytest.raises(ValueError):
        get_adapter().decrypt(stored)


def test_plaintext_secret_written_into_the_table_is_not_accepted(compliance):
    from allauth.mfa.adapter import get_adapter

    with pytest.raises(ValueError):
        get_adapter().decrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


def test_secrets_stored_in_clear_before_are_encrypted_by_the_migration(compliance):
    import importlib

    from allauth.mfa.adapter import get_adapter
    from django.apps import apps

    migration = importlib.import_module("people.migrations.0005_mfa_secrets_encrypted_totp_steps_used")
    plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    # As allauth stored it before people/adapters.py encrypted anything.
    Authenticator.objects.create(user=compliance, type=Authenticator.Type.TOTP, data={"secret": plain})
    migration.encrypt_existing_secrets(apps, None)
    stored = Authenticator.objects.get(user=compliance, type=Authenticator.Type.TOTP).data["secret"]
    assert plain not in stored
    assert get_adapter().decrypt(stored) == plain
    migration.encrypt_existing_secrets(apps, None)  # a second run leaves it as it is
    assert Authenticator.objects.get(user=compliance, type=Authenticator.Type.TOTP).data["secret"] == stored


def test_the_code_typed_to_enrol_cannot_sign_in_again(
    client, compliance, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(1_800_000_000, tick=False)
    _log_in(client, compliance)
    secret = _secret_on_page(client)
    code = totp_code(secret, _now_step())
    # allauth announces the new authenticator once the enrolment commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302

    time_machine.move_to(1_800_000_020, tick=False)
    response = _authenticate(client, compliance, code)
    assert response.status_code == 200  # refused: the enrolment used it
    assert "_auth_user_id" not in client.session
    time_machine.move_to(1_800_000_031, tick=False)
    assert _authenticate(client, compliance, totp_code(secret, _now_step())).status_code == 302


def _enrol_after_login(client, person):
    _log_in(client, person)
    secret = _secret_on_page(client)
    return client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, _now_step())}, follow=True)


def test_recovery_codes_offered_right_after_first_enrolment_do_not_ask_the_password_again(client, compliance):
    response = _enrol_after_login(client, compliance)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    assert response.status_code == 200
    assert response.context["can_view_codes"] and "****" not in response.context["unused_codes"]
    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200


def test_recovery_codes_offered_right_after_adding_a_first_passkey_do_not_ask_again(client, compliance):
    _log_in(client, compliance)
    # What allauth's add-passkey view stores before redirecting to the recovery codes.
    Authenticator.objects.create(user=compliance, type=Authenticator.Type.WEBAUTHN, data={"name": "key"})
    _activate_recovery_codes(compliance)
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200


def test_changing_the_factor_just_enrolled_still_asks_for_the_password(client, compliance):
    _enrol_after_login(client, compliance)
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_recovery_codes_of_factors_enrolled_before_this_login_still_ask(client, compliance, time_machine):
    time_machine.move_to(1_800_000_000, tick=False)
    secret = people_factories.enrol_totp(compliance)
    _activate_recovery_codes(compliance)
    time_machine.move_to(1_800_086_400, tick=False)
    assert _authenticate(client, compliance, totp_code(secret, _now_step())).status_code == 302
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def _activate_recovery_codes(person) -> None:
    """Recovery codes as allauth's setup stores them: an encrypted seed and no code used."""
    Authenticator.objects.create(
        user=person,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": get_adapter().encrypt(secrets.token_hex(40)), "used_mask": 0},
    )
