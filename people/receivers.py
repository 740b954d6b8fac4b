"""Receivers of allauth's signals that keep the portal's rules on second factors."""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver

from .mfa import totp_code_claim


@receiver(authenticator_added)
def claim_enrolment_code(sender, request, authenticator, **kwargs) -> None:
    """The code typed to enrol is used up like any other, so it cannot sign in again within its window."""
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        code = request.POST.get("code", "")
        if code:
            totp_code_claim(authenticator=authenticator, code=code)
