from csp.constants import HEADER, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# The hotline and the certificate check are public; everything under /admin/ is Wagtail's.
ADMIN_PREFIX = "/admin/"

# The site's policy is CONTENT_SECURITY_POLICY in settings (no inline script, no origin but our
# own). The Wagtail 8.0.1 admin replaces four of its directives; measured in Chromium on every main
# screen (tests/browser/test_admin_csp.py):
# - script-src 'unsafe-inline': Wagtail renders inline <script> elements whose text differs per
#   field, so neither hashes nor nonces can cover them: the date/time widgets
#   (wagtailadmin/widgets/datetime_input.html and friends: the publishing schedule of every page
#   edit, which vendor.js moves into its dialog, and the date filters of the page explorer,
#   users and history lists) and the InlinePanel/MultipleChooserPanel initialisation (question
#   banks). No 'unsafe-eval': nothing in the admin needs it.
# - style-src 'unsafe-inline': vendor.js (the rich-text editor and tooltips) injects <style>
#   elements.
# - form-action 'self' only: the admin's forms never go on to an identity provider.
# - frame-ancestors 'self': the live preview frames our own preview view.
# No data: or blob: images, no data: fonts, no other origin: Gravatar and the update check are
# switched off in settings (WAGTAIL_GRAVATAR_PROVIDER_URL, WAGTAIL_ENABLE_UPDATE_CHECK).
ADMIN_CSP_REPLACE = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's Content-Security-Policy, the admin's under /admin/, and the other headers that
    neither Django nor django-csp sets."""

    def process_response(self, request, response):
        if request.path.startswith(ADMIN_PREFIX) and HEADER in response:
            # Replaced, not kept: the live preview renders the page through a second, inner
            # request for the page's own URL, whose response brings the site's policy with
            # frame-ancestors 'none', and the browser would refuse to show it in the admin.
            del response[HEADER]
        response = super().process_response(request, response)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(ADMIN_PREFIX) and not report_only:
            parts.replace = {**ADMIN_CSP_REPLACE, **(parts.replace or {})}
        return parts


def mfa_required(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(user.in_group(name) for name in settings.PORTAL_MFA_REQUIRED_GROUPS)


class RequireMFAMiddleware:
    """People in privileged roles must enrol a second factor before they reach anything else.

    Only the account pages (where enrolment and logout live), the language switch and static
    files stay reachable until they do.
    """

    # Never send a background request (the favicon, a stylesheet) to enrolment: the enrolment page
    # is the person's only way forward, and a second copy of it in the background is useless.
    allowed_prefixes = ("/accounts/", "/i18n/", "/static/", "/healthz", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # Read by the staff navigation, which stays hidden until the person can use it.
        request.mfa_enrolment_pending = mfa_required(user) and not _has_mfa(user) and not _sso_did_mfa(request)
        if request.mfa_enrolment_pending and not request.path.startswith(self.allowed_prefixes):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_has_mfa", None)
    if cached is None:
        # A passkey is a second factor too (and the preferred one: it cannot be phished).
        second_factors = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        cached = user._has_mfa = Authenticator.objects.filter(user=user, type__in=second_factors).exists()
    return cached


def _sso_did_mfa(request) -> bool:
    # Signed in through an identity provider whose MFA the portal is set to trust (people/sso.py).
    from people.sso import provider_did_mfa

    return provider_did_mfa(request)
