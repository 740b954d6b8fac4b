"""The portal's rules around allauth's TOTP: one use per code, and an enrolment secret that stays put.

allauth's forms are kept (their rate limits, signals and messages); the subclasses here are named
in settings.MFA_FORMS.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time

from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction

from .models import UsedTOTPStep


def totp_period() -> int:
    return getattr(settings, "MFA_TOTP_PERIOD", 30)


def totp_current_step() -> int:
    return int(time.time()) // totp_period()


def totp_code(secret: str, step: int) -> str:
    """RFC 6238's code for one time step (SHA-1, as authenticator apps and allauth use)."""
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    digits = getattr(settings, "MFA_TOTP_DIGITS", 6)
    return f"{value % 10**digits:0{digits}}"


def totp_enrol(*, person, secret: str | None = None) -> str:
    """Give a person a TOTP authenticator, as allauth's enrolment stores it (the secret encrypted
    through the MFA adapter); returns the secret. For tests, benchmarks and operators' scripts:
    people enrol themselves through allauth's pages."""
    secret = secret or base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": get_adapter().encrypt(secret)}
    )
    return secret


def totp_steps_accepting(secret: str, code: str) -> list[int]:
    """The steps, within the tolerance window around now, whose code is `code`."""
    code = "".join(code.split())
    tolerance = getattr(settings, "MFA_TOTP_TOLERANCE", 0)
    now = totp_current_step()
    return [
        step
        for step in range(now - tolerance, now + tolerance + 1)
        if hmac.compare_digest(totp_code(secret, step), code)
    ]


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """allauth's enrolment form, except that showing it does not make a new secret.

    allauth makes a new secret on every GET, so any background request that lands on the page (a
    favicon redirected there, a second tab, a reload) silently invalidates the QR code the person
    has just scanned. Here the secret in the session stays until enrolment succeeds (allauth then
    clears it) or the person asks for a new one (people.views.totp_secret_renew).
    """

    def __init__(self, *args, **kwargs) -> None:
        self.user = kwargs.pop("user")
        # Skips allauth's __init__, whose only other work is the regeneration this class is for.
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)


class _NoReplay:
    """Refuses a TOTP code whose time step has already been used with the same authenticator."""

    def clean_code(self) -> str:
        code = super().clean_code()
        authenticator = self.authenticator
        if authenticator.type == Authenticator.Type.TOTP and not totp_code_claim(
            authenticator=authenticator, code=code
        ):
            raise get_adapter().validation_error("incorrect_code")
        return code


class AuthenticateForm(_NoReplay, AllauthAuthenticateForm):
    pass


class ReauthenticateForm(_NoReplay, AllauthReauthenticateForm):
    pass


@transaction.atomic
def totp_code_claim(*, authenticator: Authenticator, code: str) -> bool:
    """Record that `code` has been used with `authenticator`; False if its time step already was.

    A code is good once for its whole validity window: the used step is kept for as long as any
    code of it could still validate (MFA_TOTP_TOLERANCE steps after it), then forgotten.
    """
    secret = get_adapter().decrypt(authenticator.data["secret"])
    steps = totp_steps_accepting(secret, code)
    tolerance = getattr(settings, "MFA_TOTP_TOLERANCE", 0)
    UsedTOTPStep.objects.filter(authenticator=authenticator, step__lt=totp_current_step() - tolerance).delete()
    for step in steps:
        try:
            # A savepoint, so a refused insert leaves the surrounding transaction usable.
            with transaction.atomic():
                UsedTOTPStep.objects.create(authenticator=authenticator, step=step)
        except IntegrityError:
            continue
        return True
    return False
