"""The e-mails handlers get: content-free nudges to log in, which never name or describe a case."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from people.models import Person

SUBJECTS = {
    "new_case": lambda: _("Conduct portal: the hotline has a new case for you"),
    "reporter_update": lambda: _("Conduct portal: a reporter has added information on the hotline"),
    "reminder": lambda: _("Conduct portal: a hotline deadline needs your attention"),
    "register_changed": lambda: _("Conduct portal: the register of hotline handlers has changed"),
    "awaiting_handler": lambda: _("Conduct portal: a hotline case is waiting for a designated handler"),
    "identity_request": lambda: _("Conduct portal: a hotline request waits for your approval"),
}
BODIES = {
    "new_case": lambda: _("A case on the whistleblowing hotline is waiting for you."),
    "reporter_update": lambda: _("A reporter has added information to a hotline case you handle."),
    "reminder": lambda: _("A hotline case you handle has a deadline that is due soon or has passed."),
    "register_changed": lambda: _(
        "A designation in the register of hotline handlers has been proposed, approved or revoked. "
        "If you did not expect this change, tell compliance staff at once."
    ),
    "awaiting_handler": lambda: _(
        "A hotline case has no handler who may read it, because its only handler declared a conflict "
        "of interest. Designate another handler in the register (two people are needed)."
    ),
    "identity_request": lambda: _(
        "Another handler asks to see a reporter's identity on a hotline case you handle. It is shown "
        "only if a second handler approves the request; read the reason on the case page."
    ),
}
# Where each e-mail sends the reader: the case list, the register as the intake shows it, or
# the register in the admin for the compliance staff who keep it.
LINKS = {
    "register_changed": lambda: reverse("whistleblowing:intake"),
    "awaiting_handler": lambda: reverse("hotline_handlers:index"),
}
LINK_TEXT = {
    "register_changed": lambda: _("The current register is listed on the hotline's report page:"),
    "awaiting_handler": lambda: _("Open the register in the admin:"),
}


def send_handler_mail(*, handler: Person, kind: str) -> None:
    """E-mail a handler without any content or anything that names the case: only a nudge to log in."""
    with translation.override(settings.LANGUAGE_CODE):
        path = LINKS[kind]() if kind in LINKS else reverse("whistleblowing:case_list")
        url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
        body = "\n\n".join(
            [
                BODIES[kind](),
                LINK_TEXT[kind]()
                if kind in LINK_TEXT
                else _("Log in to the portal and open the hotline case list to see it:"),
                url,
                _("This e-mail deliberately says nothing about the case."),
            ]
        )
        send_mail(SUBJECTS[kind](), body, settings.DEFAULT_FROM_EMAIL, [handler.email])
