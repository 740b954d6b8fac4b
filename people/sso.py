"""Corporate single sign-on through allauth's OpenID Connect provider.

Accounts stay owned by the HR data: a login through the company's identity provider signs in the
active person it matches (by the employee-number claim the provider is configured with, else by
e-mail) and nobody else; no account is ever created from a login. Matches and refusals are
audited with the claims that decided them, never with a token.

Where the provider says in the ID token (`amr` or `acr`) that it did multi-factor
authentication, and the provider is trusted for that (PORTAL_OIDC_<N>_TRUST_MFA), the portal
asks for no second factor of its own: the login stage (`ProviderMFAAwareAuthenticateStage`) and
`portal.middleware.RequireMFAMiddleware` both ask `provider_did_mfa`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from allauth.account.signals import user_logged_in
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_socialaccount_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record

from .models import Person

# What the portal remembers about an SSO login, in the (server-side) session: the provider, the
# person, whether the provider did MFA we trust, and the raw ID token for RP-initiated logout.
SESSION_KEY = "portal_sso"
# The raw ID token between the token response and the match (see `SSOAdapter.get_requests_session`).
PENDING_ID_TOKEN_KEY = "portal_sso_pending_id_token"  # noqa: S105 - a session key, not a secret

ALLAUTH_AUTHENTICATE_STAGE = "allauth.mfa.stages.AuthenticateStage"
AUTHENTICATE_STAGE = "people.sso.ProviderMFAAwareAuthenticateStage"

REFUSAL_MESSAGES = {
    "unknown": _(
        "Your account at the identity provider does not match anyone in the portal's HR data, so "
        "you cannot sign in. Ask your manager or the compliance department to check your employee "
        "number and e-mail address in the HR data."
    ),
    "inactive": _(
        "Your portal account has been deactivated, so you cannot sign in. If you think this is "
        "wrong, ask your manager or the compliance department."
    ),
}


@dataclass(frozen=True)
class Match:
    person: Person | None
    matched_by: str  # "employee_number", "email", "link" or "" when nothing identified the person
    value: str  # the claim value that decided (an employee number or e-mail address), never a token


def provider_settings(sociallogin: SocialLogin) -> dict:
    return sociallogin.account.get_provider().app.settings


def login_claims(sociallogin: SocialLogin) -> dict:
    """The ID token's claims, overlaid by the userinfo response where the provider sent one."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def claims_show_mfa(*, id_token: dict, mfa_values: list[str]) -> bool:
    amr = id_token.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(set(mfa_values) & set(amr)) or id_token.get("acr") in mfa_values


def login_did_trusted_mfa(sociallogin: SocialLogin) -> bool:
    """Whether this login's provider is trusted for MFA and its ID token says it did MFA."""
    app_settings = provider_settings(sociallogin)
    if not app_settings.get("trust_mfa"):
        return False
    id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
    return claims_show_mfa(id_token=id_token, mfa_values=app_settings.get("mfa_values") or ["mfa"])


def match_person(*, claims: dict, employee_number_claim: str) -> Match:
    """The person (active or not) the claims name: the employee number decides where the provider
    releases one, so that a reused or changed e-mail address can never pick someone else."""
    if employee_number_claim and (number := str(claims.get(employee_number_claim) or "").strip()):
        return Match(Person.objects.filter(employee_number=number).first(), "employee_number", number)
    if email := str(claims.get("email") or "").strip():
        return Match(Person.objects.filter(email__iexact=email).first(), "email", email)
    return Match(None, "", "")


def provider_did_mfa(request: HttpRequest) -> bool:
    """Whether the signed-in person came through a provider whose MFA the portal trusts."""
    record = request.session.get(SESSION_KEY) or {}
    return bool(record.get("mfa")) and record.get("person") == request.user.pk


class SSOAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def populate_user(self, request, sociallogin, data):
        # The unsaved person allauth would fill from the claims is never saved (nobody is created
        # from a login), so it is left empty; names come from the HR data.
        return sociallogin.user

    def pre_social_login(self, request, sociallogin) -> None:
        provider_id = sociallogin.account.get_provider().app.provider_id
        claims = login_claims(sociallogin)
        if sociallogin.is_existing:
            match = Match(sociallogin.user, "link", str(sociallogin.account.uid))
        else:
            match = match_person(
                claims=claims, employee_number_claim=provider_settings(sociallogin).get("employee_number_claim", "")
            )
        if match.person is None or not match.person.is_active:
            reason = "unknown" if match.person is None else "inactive"
            sso_login_refuse(provider_id=provider_id, subject=str(sociallogin.account.uid), match=match, reason=reason)
            request.session.pop(PENDING_ID_TOKEN_KEY, None)
            response = render(
                request, "socialaccount/sso_refused.html", {"message": REFUSAL_MESSAGES[reason]}, status=403
            )
            raise ImmediateHttpResponse(response)
        mfa = login_did_trusted_mfa(sociallogin)
        sso_login_accept(request=request, sociallogin=sociallogin, match=match, provider_id=provider_id, mfa=mfa)
        request.session[SESSION_KEY] = {
            "provider": provider_id,
            "person": match.person.pk,
            "mfa": mfa,
            "id_token": request.session.pop(PENDING_ID_TOKEN_KEY, ""),
        }

    def get_requests_session(self):
        # allauth keeps the ID token's claims but not the token itself, which RP-initiated logout
        # sends back as id_token_hint; keep it from the token response, in the session only.
        session = super().get_requests_session()
        session.hooks["response"].append(_remember_id_token)
        return session


def _remember_id_token(response: requests.Response, *args, **kwargs) -> None:
    request = context.request
    if request is None or "json" not in response.headers.get("Content-Type", ""):
        return
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("id_token"), str) and "access_token" in body:
        request.session[PENDING_ID_TOKEN_KEY] = body["id_token"]


@transaction.atomic
def sso_login_accept(
    *, request: HttpRequest, sociallogin: SocialLogin, match: Match, provider_id: str, mfa: bool
) -> None:
    """Link a first-time provider account to the person it matched (no new person), and audit."""
    if not sociallogin.is_existing:
        sociallogin.connect(request, match.person)
    audit_record(
        actor=match.person,
        action="sso.login_matched",
        target=match.person,
        detail={"provider": provider_id, "matched_by": match.matched_by, "mfa_at_provider": mfa},
    )


@transaction.atomic
def sso_login_refuse(*, provider_id: str, subject: str, match: Match, reason: str) -> None:
    audit_record(
        actor=None,
        action="sso.login_refused",
        target=match.person,
        detail={
            "provider": provider_id,
            "reason": reason,
            "subject": subject,
            "matched_by": match.matched_by,
            "claim_value": match.value,
        },
    )


class ProviderMFAAwareAuthenticateStage(AuthenticateStage):
    """allauth's second-factor step, skipped when the provider's trusted MFA already happened."""

    def handle(self) -> tuple:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and login_did_trusted_mfa(sociallogin):
            return None, True
        return super().handle()


@receiver(user_logged_in)
def _forget_sso_after_other_logins(sender, request, user, **kwargs) -> None:
    # A password or passkey login in a session that once started an SSO login must not inherit it.
    if "sociallogin" not in kwargs:
        request.session.pop(SESSION_KEY, None)
        request.session.pop(PENDING_ID_TOKEN_KEY, None)


def logout_url(request: HttpRequest) -> str | None:
    """The provider's end-session URL for RP-initiated logout, or None (not an SSO login, or the
    provider does not offer one). Called before the portal session ends."""
    record = request.session.get(SESSION_KEY)
    if not record:
        return None
    try:
        provider = get_socialaccount_adapter(request).get_provider(request, record["provider"])
        config = OpenIDConnectOAuth2Adapter(request, provider.app.provider_id).openid_config
    except (SocialApp.DoesNotExist, ImproperlyConfigured, requests.RequestException, ValueError):
        # The provider was removed or cannot be reached: the portal session still ends.
        return None
    endpoint = config.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "client_id": provider.app.client_id,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("account_login")),
    }
    if record.get("id_token"):
        params["id_token_hint"] = record["id_token"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
