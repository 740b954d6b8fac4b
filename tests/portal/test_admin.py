from io import StringIO

import pytest

from people import roles
from portal.models import RulePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(db):
    from portal.demo import load

    load(StringIO())
    return RulePage.objects.get(slug="switching")


def test_compliance_editor_can_edit_and_publish_a_rule(client, mfa_user, rule):
    client.force_login(mfa_user(roles.COMPLIANCE_EDITORS))
    assert client.get(f"/admin/pages/{rule.pk}/edit/").status_code == 200
    perms = rule.permissions_for_user(mfa_user(roles.COMPLIANCE_EDITORS))
    assert perms.can_edit() and perms.can_publish()


def test_employee_cannot_reach_the_admin(client, make_person, rule):
    client.force_login(make_person())
    response = client.get(f"/admin/pages/{rule.pk}/edit/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or "/accounts/login/" in response["Location"]
