"""A signed-in person who does not pass a page's view restriction gets the portal's own 404,
not Wagtail's /_util/login/ form (which asks a signed-in person to sign in again)."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from people.models import Person
from portal.models import RulePage

pytestmark = pytest.mark.django_db

RULE_URL = "/rules/switching/"


def _restrict(restriction_type: str, *groups: str) -> None:
    restriction = PageViewRestriction.objects.create(
        page=RulePage.objects.get(slug="switching"), restriction_type=restriction_type
    )
    for name in groups:
        restriction.groups.add(Group.objects.get_or_create(name=name)[0])


def test_a_group_restriction_refuses_a_signed_in_outsider_with_the_portal_404(client, demo):
    _restrict(PageViewRestriction.GROUPS, "board_members")
    client.force_login(Person.objects.get(email="sales@example.jp"))
    response = client.get(RULE_URL)
    assert response.status_code == 404
    body = response.content.decode()
    assert "_util/login" not in body
    assert "スイッチング" not in body
    assert 'class="site-nav"' in body  # the portal's page, with its navigation


def test_a_group_restriction_still_lets_its_group_in(client, demo):
    _restrict(PageViewRestriction.GROUPS, "board_members")
    reader = Person.objects.get(email="sales@example.jp")
    reader.groups.add(Group.objects.get(name="board_members"))
    client.force_login(reader)
    assert client.get(RULE_URL).status_code == 200


def test_a_password_restriction_still_shows_its_password_form(client, demo):
    restriction = PageViewRestriction.objects.create(
        page=RulePage.objects.get(slug="switching"), restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    client.force_login(Person.objects.get(email="sales@example.jp"))
    response = client.get(RULE_URL)
    assert response.status_code == 200
    assert f"/_util/authenticate_with_password/{restriction.pk}/" in response.content.decode()
