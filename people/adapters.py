import base64
import functools
import time
from datetime import UTC, datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import sso

# Marks a value encrypted by MFAAdapter.encrypt (people/migrations/0005 encrypted the older ones).
ENCRYPTED_PREFIX = "fernet1:"


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR import or an administrator, never from sign-up."""

    def is_open_for_signup(self, request):
        return False

    # Corporate SSO (people/sso.py): a trusted provider's MFA stands in for allauth's second-factor
    # step, and logging out also ends the provider's session where it offers RP-initiated logout.
    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        return [sso.AUTHENTICATE_STAGE if s == sso.ALLAUTH_AUTHENTICATE_STAGE else s for s in stages]

    def get_logout_redirect_url(self, request) -> str:
        return sso.logout_url(request) or super().get_logout_redirect_url(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # A person who has just typed their password and is adding their first second factor (the
        # portal sends privileged roles straight to enrolment after login) is not asked for the
        # password again: the login itself is the recent authentication. Changes to an existing
        # factor still ask.
        # The same holds for the recovery codes allauth shows right after that first factor (TOTP or
        # passkey): every factor the person has was added in this session, after the login.
        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            logged_in_at = _logged_in_at(request)
            if time.time() - logged_in_at < account_settings.REAUTHENTICATION_TIMEOUT:
                factors = Authenticator.objects.filter(user=request.user)
                if not factors.exists():
                    return False
                if (
                    _is_recovery_codes_view(request)
                    and not factors.filter(created_at__lt=datetime.fromtimestamp(logged_in_at, tz=UTC)).exists()
                ):
                    return False
        return super().is_reauthentication_required(app=app, **kwargs)


RECOVERY_CODES_VIEWS = frozenset(
    {"mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_download_recovery_codes"}
)


def _is_recovery_codes_view(request) -> bool:
    match = request.resolver_match
    return match is not None and match.view_name in RECOVERY_CODES_VIEWS


def _logged_in_at(request) -> float:
    records = get_authentication_records(request, request.user)
    return max((record.get("at", 0) for record in records), default=0)


@functools.cache
def _fernet(key: str) -> Fernet:
    # HKDF turns a passphrase of any length into Fernet's 32-byte key; the info string keeps this
    # key apart from anything else ever derived from the same setting.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"conduct-portal mfa secrets").derive(
        key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def mfa_fernet() -> Fernet:
    key = settings.PORTAL_MFA_KEY
    if not key:
        raise ImproperlyConfigured("PORTAL_MFA_KEY must be set to store MFA secrets.")
    return _fernet(key)


class MFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url: str) -> str:
        # Drawn inline in the page (templates/mfa/totp/activate_form.html) rather than as a data:
        # image, so the site's CSP needs no data: images; an inline <svg> takes no XML declaration.
        svg = super().build_totp_svg(url)
        return svg[svg.index("<svg") :]

    # TOTP secrets and recovery-code seeds are stored encrypted under PORTAL_MFA_KEY, which is not in
    # the database: whoever reads mfa_authenticator alone cannot compute anyone's codes.
    def encrypt(self, text: str) -> str:
        return ENCRYPTED_PREFIX + mfa_fernet().encrypt(text.encode()).decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        # No plaintext fallback: a secret written into the table directly must not be accepted.
        if not encrypted_text.startswith(ENCRYPTED_PREFIX):
            raise ValueError("MFA secret is not encrypted with PORTAL_MFA_KEY")
        try:
            return mfa_fernet().decrypt(encrypted_text.removeprefix(ENCRYPTED_PREFIX).encode("ascii")).decode()
        except InvalidToken as error:
            raise ValueError("MFA secret does not decrypt with PORTAL_MFA_KEY") from error
