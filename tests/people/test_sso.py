"""Corporate SSO against a real OpenID Connect provider (tests/oidc_provider, its own process).

The portal runs in-process (Django's test client); the provider is driven over HTTP as a
browser would drive it, and the portal fetches tokens and keys from it over HTTP itself.
"""

import json
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.conf import settings
from django.test import Client

from audit.models import AuditEntry
from people import roles
from people.hr_import import hr_import_run
from people.models import Person
from people.sso import match_person
from portal.settings.sso import oidc_apps_from_environ
from tests.factories import hotline as hotline_factories
from tests.factories import people as f
from tests.oidc_provider.people import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_START = "/accounts/oidc/demo/login/"


class ProviderBrowser:
    """The person's browser at the provider: a cookie jar that signs in there once."""

    def __init__(self, provider):
        self.provider = provider
        self.http = requests.Session()

    def authorize(self, authorize_url: str, username: str) -> str:
        """Follow the portal's redirect to the provider; sign in there if asked; return the
        portal callback URL the provider sends the browser back to."""
        response = self.http.get(authorize_url, allow_redirects=False)
        location = urljoin(authorize_url, response.headers["Location"])
        if location.startswith(f"{self.provider.url}/login/"):
            self.http.get(location)
            next_url = parse_qs(urlsplit(location).query)["next"][0]
            signed_in = self.http.post(
                location,
                data={
                    "username": username,
                    "password": DEMO_PASSWORD,
                    "next": next_url,
                    "csrfmiddlewaretoken": self.http.cookies["idp_csrftoken"],
                },
                allow_redirects=False,
            )
            assert signed_in.status_code == 302, "sign-in at the provider failed"
            response = self.http.get(urljoin(location, signed_in.headers["Location"]), allow_redirects=False)
            location = urljoin(authorize_url, response.headers["Location"])
        assert location.startswith("http://testserver/accounts/oidc/demo/login/callback/"), location
        return location.removeprefix("http://testserver")


def sso_login(client, provider, username: str, browser: ProviderBrowser | None = None):
    """Start at the portal's provider button and come back through the callback; the callback's response."""
    browser = browser or ProviderBrowser(provider)
    start = client.post(LOGIN_START)
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer)
    return client.get(browser.authorize(start["Location"], username))


def signed_in_person(client) -> Person | None:
    response = client.get("/accounts/email/")  # any page that needs a login
    return response.wsgi_request.user if response.wsgi_request.user.is_authenticated else None


def audit_entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def sales(db):
    # Another e-mail address than the provider's: the employee-number claim must decide.
    return f.person(email="yagi.misaki@example.jp", employee_number="M100001")


def test_login_matches_the_person_by_employee_number_and_creates_nobody(client, sso_settings, oidc_provider, sales):
    people_before = Person.objects.count()

    response = sso_login(client, oidc_provider, "sales@example.jp")

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_person(client) == sales
    assert Person.objects.count() == people_before
    assert SocialAccount.objects.get(provider="demo").user == sales
    [entry] = audit_entries("sso.login_matched")
    assert entry.actor_id == sales.pk
    assert entry.detail == {"provider": "demo", "matched_by": "employee_number", "mfa_at_provider": False}
    # Claims only: no access or refresh token is stored, and the raw ID token is not in the database.
    assert not SocialToken.objects.exists()
    assert "eyJ" not in json.dumps(SocialAccount.objects.get().extra_data)


def test_without_an_employee_number_claim_people_are_matched_by_email(client, sso_settings, oidc_provider):
    sso_settings(employee_number_claim="")
    person = f.person(email="sales@example.jp", employee_number="Z000001")

    sso_login(client, oidc_provider, "sales@example.jp")

    assert signed_in_person(client) == person
    assert audit_entries("sso.login_matched")[0].detail["matched_by"] == "email"


def test_a_provider_that_releases_no_employee_number_for_someone_falls_back_to_the_email(sales):
    other = f.person(email="sales@example.jp", employee_number="M100009")

    by_number = match_person(
        claims={"employee_number": "M100001", "email": "sales@example.jp"}, employee_number_claim="employee_number"
    )
    by_email = match_person(claims={"email": "SALES@example.jp"}, employee_number_claim="employee_number")
    unknown = match_person(
        claims={"employee_number": "X1", "email": "sales@example.jp"}, employee_number_claim="employee_number"
    )

    assert (by_number.person, by_number.matched_by) == (sales, "employee_number")
    assert (by_email.person, by_email.matched_by) == (other, "email")
    # A released employee number decides alone: an e-mail address never picks someone else.
    assert unknown.person is None


def test_a_person_unknown_to_the_hr_data_is_refused_with_a_clear_message_and_nothing_is_created(
    client, sso_settings, oidc_provider, sales
):
    people_before = Person.objects.count()

    response = sso_login(client, oidc_provider, "stranger@example.jp")

    assert response.status_code == 403
    assert "人事データ" in response.content.decode()
    assert signed_in_person(client) is None
    assert Person.objects.count() == people_before
    assert not SocialAccount.objects.exists()
    [entry] = audit_entries("sso.login_refused")
    assert entry.detail["reason"] == "unknown"
    assert entry.detail["claim_value"] == "X900001"
    # Claims only: nothing that looks like a JWT or an access token is kept in the audit log.
    assert "eyJ" not in json.dumps(entry.detail) and "token" not in json.dumps(entry.detail)


HR_HEADER = "社員番号,メールアドレス,姓,名,会社コード,所属コード,雇用区分,職務,上長社員番号"
HR_ROWS = [
    "M100001,sales@example.jp,八木,美咲,MICHINOKU,HACHINOHE,REGULAR,SALES,",
    "T100003,temp@example.jp,三浦,彩,MICHINOKU,HACHINOHE,TEMP,SALES,",
]


def hr_csv(rows) -> bytes:
    return ("\r\n".join([HR_HEADER, *rows]) + "\r\n").encode()


@pytest.mark.parametrize("signed_in_by_sso_before", [True, False])
def test_a_person_deactivated_by_an_hr_import_can_no_longer_sign_in_by_sso(
    client, sso_settings, oidc_provider, signed_in_by_sso_before
):
    f.unit("HACHINOHE", "八戸営業所")
    f.employment_type("REGULAR"), f.employment_type("TEMP"), f.job_role("SALES")
    hr_import_run(raw=hr_csv(HR_ROWS))
    temp = Person.objects.get(employee_number="T100003")
    browser = ProviderBrowser(oidc_provider)
    if signed_in_by_sso_before:
        # Linked to the provider account by an earlier login: the link alone does not let them in.
        assert sso_login(client, oidc_provider, "temp@example.jp", browser).status_code == 302
        assert SocialAccount.objects.get(provider="demo").user == temp
        client.post("/accounts/logout/")

    hr_import_run(raw=hr_csv(HR_ROWS[:1]), allow_mass_deactivation=True)
    people_before, accounts_before = Person.objects.count(), SocialAccount.objects.count()
    response = sso_login(client, oidc_provider, "temp@example.jp", browser)

    temp.refresh_from_db()
    assert not temp.is_active
    assert response.status_code == 403
    assert "無効" in response.content.decode()
    assert signed_in_person(client) is None
    # Nothing created: no person, no link to the provider account.
    assert (Person.objects.count(), SocialAccount.objects.count()) == (people_before, accounts_before)
    assert SocialAccount.objects.filter(user=temp).count() == (1 if signed_in_by_sso_before else 0)
    [entry] = audit_entries("sso.login_refused")
    assert entry.detail["reason"] == "inactive"
    assert entry.detail["matched_by"] == ("link" if signed_in_by_sso_before else "employee_number")
    assert "eyJ" not in json.dumps(entry.detail) and "token" not in json.dumps(entry.detail)


@pytest.fixture
def compliance_editor(db):
    return f.person(email="compliance@example.jp", employee_number="M100005", groups=(roles.COMPLIANCE_EDITORS,))


@pytest.mark.parametrize("enrolled_totp", [False, True])
def test_provider_mfa_replaces_the_portal_totp_when_trusted(
    client, sso_settings, oidc_provider, compliance_editor, enrolled_totp
):
    if enrolled_totp:
        f.enrol_totp(compliance_editor)

    response = sso_login(client, oidc_provider, "compliance@example.jp")

    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and home.wsgi_request.user == compliance_editor
    assert audit_entries("sso.login_matched")[0].detail["mfa_at_provider"] is True


@pytest.mark.parametrize("enrolled_totp", [False, True])
def test_without_trust_in_the_provider_mfa_the_portal_asks_for_its_own(
    client, sso_settings, oidc_provider, compliance_editor, enrolled_totp
):
    sso_settings(trust_mfa=False)
    if enrolled_totp:
        f.enrol_totp(compliance_editor)

    response = sso_login(client, oidc_provider, "compliance@example.jp")

    if enrolled_totp:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/authenticate/")
    else:
        assert client.get("/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_a_trusted_provider_login_without_mfa_in_amr_still_needs_the_portal_totp(client, sso_settings, oidc_provider):
    # The provider signs this person in with a password only (amr: ["pwd"]).
    f.person(email="sales@example.jp", employee_number="M100001", groups=(roles.COMPLIANCE_EDITORS,))

    sso_login(client, oidc_provider, "sales@example.jp")

    assert client.get("/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_logout_ends_the_provider_session_too(client, sso_settings, oidc_provider, sales):
    browser = ProviderBrowser(oidc_provider)
    sso_login(client, oidc_provider, "sales@example.jp", browser)

    response = client.post("/accounts/logout/")

    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == f"{oidc_provider.issuer}/end-session"
    params = parse_qs(end_session.query)
    assert params["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert params["id_token_hint"][0].startswith("eyJ")
    assert signed_in_person(client) is None
    back = browser.http.get(response["Location"], allow_redirects=False)
    assert back.headers["Location"] == "http://testserver/accounts/login/"
    # Signed out at the provider as well: the next authorisation asks for the password again.
    start = client.post(LOGIN_START)
    again = browser.http.get(start["Location"], allow_redirects=False)
    assert again.headers["Location"].startswith("/login/")


def test_a_password_logout_is_not_sent_to_the_provider(client, sso_settings, oidc_provider, sales):
    client.force_login(sales)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and not response["Location"].startswith(oidc_provider.url)


def test_login_page_offers_the_provider_and_can_hide_the_password_form(client, sso_settings):
    page = client.get("/accounts/login/").content.decode()
    assert "デモ社内IDでログイン" in page and 'name="password"' in page

    sso_settings(sso_only=True)
    page = client.get("/accounts/login/").content.decode()
    assert "デモ社内IDでログイン" in page and 'name="password"' not in page
    assert 'name="password"' in client.get("/accounts/login/?password=1").content.decode()


@pytest.fixture
def hotline_open(db, fast_hotline_crypto):
    """A designated handler with a key, so the intake takes reports (without one it answers 503)."""
    compliance = f.person(groups=(roles.COMPLIANCE_EDITORS,))
    f.enrol_totp(compliance)
    handler = f.person(groups=(roles.DESIGNATED_HANDLERS,))
    f.enrol_totp(handler)
    hotline_factories.designate(person=handler, by=compliance)
    # The handler sets up a key pair on the hotline's own page, as in the product.
    handler_client = Client()
    handler_client.force_login(handler)
    passphrase = "correct horse battery staple"
    key = handler_client.post("/hotline/cases/key/", {"passphrase": passphrase, "passphrase_again": passphrase})
    assert key.status_code == 200 and key.context["recovery_key"]
    return handler


def hotline_walk(client) -> list:
    """Every public hotline request a reporter makes: the intake, a report, the follow-up with the
    receipt, a reply; and the paths around them. The responses, in order."""
    responses = []

    def keep(response):
        responses.append(response)
        return response

    intake = keep(client.get("/hotline/"))
    assert intake.status_code == 200
    filed = keep(
        client.post("/hotline/", {"form_token": intake.context["form_token"], "category": "other", "what": "x"})
    )
    receipt = filed.context["receipt"].code
    keep(client.get("/hotline/followup/"))
    followup = keep(client.post("/hotline/followup/", {"code": receipt}))
    keep(client.post("/hotline/followup/case/", {"token": followup.context["token"], "action": "reply", "text": "y"}))
    for path in ("/hotline", "/hotline/language/", "/hotline/cases/", "/hotline/no-such-page/"):
        keep(client.get(path))
        keep(client.post(path))
    return responses


@pytest.mark.parametrize("signed_in_by_sso", [False, True])
def test_no_hotline_response_redirects_to_the_provider_or_sets_a_cookie(
    client, sso_settings, oidc_provider, sales, hotline_open, signed_in_by_sso
):
    sso_settings(sso_only=True)
    if signed_in_by_sso:
        sso_login(client, oidc_provider, "sales@example.jp")
        assert signed_in_person(client) == sales

    responses = hotline_walk(client)

    assert len(responses) == 13
    for response in responses:
        what = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}"
        assert not response.get("Location", "").startswith(oidc_provider.url), what
        assert oidc_provider.url not in response.content.decode(errors="replace"), what
        if response.request["PATH_INFO"].startswith("/hotline/cases/"):
            # The handlers' pages are staff pages behind the portal's own login: a signed-in
            # non-handler gets the portal's 404 page (with its CSRF cookie), never the SSO state.
            assert settings.SESSION_COOKIE_NAME not in response.cookies, what
            continue
        assert not response.cookies, f"{what} set {list(response.cookies)}"
        # The SSO session is neither read nor touched: every public hotline request is anonymous.
        assert not response.wsgi_request.user.is_authenticated, what
    if signed_in_by_sso:
        # ... and the portal session outside the hotline is still there, unchanged.
        assert signed_in_person(client) == sales


def test_more_than_one_provider_each_with_its_own_button(client, sso_settings, oidc_provider):
    environ = {
        **oidc_provider.portal_environ(),
        "PORTAL_OIDC_PROVIDERS": "demo, second",
        "PORTAL_OIDC_SECOND_ISSUER": oidc_provider.issuer,
        "PORTAL_OIDC_SECOND_CLIENT_ID": "another-client",
        "PORTAL_OIDC_SECOND_CLIENT_SECRET": "another-secret",
        "PORTAL_OIDC_SECOND_NAME": "第二ID",
    }
    sso_settings().SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": oidc_apps_from_environ(environ)}}

    page = client.get("/accounts/login/").content.decode()

    assert "デモ社内IDでログイン" in page and "第二IDでログイン" in page
    assert 'action="/accounts/oidc/demo/login/' in page and 'action="/accounts/oidc/second/login/' in page
    start = client.post("/accounts/oidc/second/login/")
    assert start.status_code == 302 and start["Location"].startswith(oidc_provider.issuer)
    assert parse_qs(urlsplit(start["Location"]).query)["client_id"] == ["another-client"]
