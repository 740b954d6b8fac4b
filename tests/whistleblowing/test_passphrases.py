"""Handler passphrases are rated with zxcvbn and refused below score 4 (issue 14 item 10)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from whistleblowing import handlers
from whistleblowing.models import HandlerKey

from .conftest import PASSPHRASE


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "password1234", "qwertyuiopasdf", "Password2026!", "iloveyou12345"])
def test_weak_passphrases_are_refused_and_no_key_is_made(make_handler, weak):
    person = make_handler("weak@example.jp", with_key=False)
    with pytest.raises(ValidationError):
        handlers.handler_key_setup(person=person, passphrase=weak)
    assert not HandlerKey.objects.filter(person=person).exists()


def test_the_handlers_own_name_and_address_do_not_make_a_strong_passphrase(make_handler):
    person = make_handler("kurosawa.akira@example.jp", with_key=False)
    with pytest.raises(ValidationError):
        handlers.handler_key_setup(person=person, passphrase="kurosawa.akira@example.jp")


def test_the_key_setup_page_shows_zxcvbns_advice_in_japanese(make_handler):
    person = make_handler("advice@example.jp", with_key=False)
    client = Client()
    client.force_login(person)
    with translation.override("ja"):
        response = client.post(
            "/hotline/cases/key/", {"passphrase": "aaaaaaaaaaaa", "passphrase_again": "aaaaaaaaaaaa"}
        )
    errors = response.context["form"].errors["passphrase"]
    assert response.status_code == 200 and len(errors) >= 3
    assert "推測" in errors[0]  # "too easy to guess", in Japanese
    assert any("繰り返し" in error for error in errors)  # zxcvbn's "Avoid repeated words and characters."
    assert not HandlerKey.objects.filter(person=person).exists()


def test_a_strong_passphrase_is_accepted_also_on_recovery(make_handler):
    person = make_handler("strong@example.jp", with_key=False)
    recovery = handlers.handler_key_setup(person=person, passphrase=PASSPHRASE)
    with pytest.raises(ValidationError):
        handlers.handler_key_recover(person=person, recovery_key=recovery, new_passphrase="aaaaaaaaaaaa")
    handlers.handler_key_recover(person=person, recovery_key=recovery, new_passphrase="velvet-ostrich-tundra-kazoo")
