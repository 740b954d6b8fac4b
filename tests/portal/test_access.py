import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from people import roles
from people.models import Person
from tests.csp_policy import directives

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client, demo):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/accounts/login/", "/accounts/password/reset/"])
def test_public_pages_need_no_login(client, path):
    assert client.get(path).status_code == 200


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("login", ["sales@example.jp", "SALES@example.jp", "M100001"])
def test_login_by_email_or_employee_number(client, demo, login):
    response = client.post(reverse("account_login"), {"login": login, "password": "portal-demo-2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_unknown_employee_number_is_refused_like_a_wrong_password(client, demo):
    response = client.post(reverse("account_login"), {"login": "M999999", "password": "portal-demo-2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_home_page_is_japanese_by_default(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    html = client.get("/").content.decode()
    assert '<html lang="ja">' in html
    assert "ログアウト" in html


def test_english_switch(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html


def test_signup_creates_no_account(client, db):
    before = Person.objects.count()
    response = client.post(
        "/accounts/signup/", {"email": "new@example.jp", "password1": "a-long-password-123", "password2": "x"}
    )
    assert Person.objects.count() == before
    assert response.status_code == 200
    assert b"signup" in response.content.lower() or "登録" in response.content.decode()


@pytest.mark.parametrize(
    "group", [roles.COMPLIANCE_EDITORS, roles.SITE_ADMINISTRATORS, roles.DESIGNATED_HANDLERS, roles.ENQUIRY_RESPONDERS]
)
def test_privileged_roles_are_sent_to_mfa_enrolment(client, make_person, group):
    person = make_person(groups=(group,))
    client.force_login(person)
    for path in ("/admin/", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_superuser_without_mfa_cannot_reach_admin(client, make_person):
    person = make_person(is_superuser=True, is_staff=True)
    client.force_login(person)
    assert client.get("/admin/")["Location"].startswith(reverse("mfa_activate_totp"))


def test_enrolment_page_itself_stays_reachable(client, make_person):
    person = make_person(groups=(roles.COMPLIANCE_EDITORS,))
    client.post(reverse("account_login"), {"login": person.email, "password": "portal-demo-2026"})
    assert client.get("/")["Location"].startswith(reverse("mfa_activate_totp"))
    # Right after the login, adding the first factor needs no second password prompt.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    # The QR code is drawn inline: the site's CSP allows no data: images.
    html = page.content.decode()
    assert '<div class="totp-qr" role="img"' in html and "<svg" in html
    assert "data:image" not in html and "<?xml" not in html


def test_with_mfa_the_compliance_editor_reaches_admin(client, mfa_user):
    person = mfa_user(roles.COMPLIANCE_EDITORS)
    assert Authenticator.objects.filter(user=person).exists()
    client.force_login(person)
    assert client.get("/admin/").status_code == 200


def test_ordinary_employee_needs_no_mfa(client, make_person, demo):
    client.force_login(make_person())
    assert client.get("/").status_code == 200


def test_security_headers(client, demo):
    client.force_login(Person.objects.get(email="sales@example.jp"))
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert directives(csp)["default-src"] == ["'self'"] and directives(csp)["script-src"] == ["'self'"]
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in csp
    assert "https:" not in csp and "http:" not in csp  # no external origin at all


def test_login_page_explains_where_accounts_come_from_instead_of_inviting_sign_up(client):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in html
    assert "アカウントは人事データから作成されます" in html
