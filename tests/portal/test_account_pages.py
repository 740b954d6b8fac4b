"""The account pages (allauth) sit in the portal's card, like the rest of the sign-in screens."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_login_form_sits_in_the_account_card(client):
    html = client.get("/accounts/login/").content.decode()
    card = re.search(r'<div class="card account-card">(.*)</main>', html, re.S)
    assert card, "no account card on the login page"
    assert 'name="password"' in card.group(1)
    assert "<h1>" in card.group(1)
