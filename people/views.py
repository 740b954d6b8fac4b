from allauth.mfa.totp.internal import auth as totp_auth
from django.shortcuts import redirect
from django.views.decorators.http import require_POST


@require_POST
def totp_secret_renew(request):
    """Forget the secret of an enrolment in progress; the enrolment page then shows a new one.

    The only way the secret changes before enrolment succeeds (people.mfa.ActivateTOTPForm), for a
    person who thinks the one they scanned has been seen by someone else.
    """
    totp_auth.clear_totp_secret(request)
    return redirect("mfa_activate_totp")
