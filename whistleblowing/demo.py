"""Demo data for the hotline: handler@example.jp is entered in the register of designated handlers.

No key pair is created and no report is filed: a passphrase is personal, so the handler sets
it up on their first visit to /hotline/cases/, and until one handler has a key the intake
refuses reports (with a fallback contact) rather than store something nobody could read.
"""

from people.models import Person

from .selectors import active_designation
from .services import designate_handler

DEMO_HANDLERS = ["handler@example.jp"]
DESIGNATED_BY = "compliance@example.jp"


def load(stdout) -> None:
    by = Person.objects.filter(email=DESIGNATED_BY).first()
    for email in DEMO_HANDLERS:
        person = Person.objects.filter(email=email).first()
        if person is None:
            stdout.write(f"  {email} not found; load the people demo first")
            continue
        if active_designation(person=person) is not None:
            stdout.write(f"  {email} already designated")
            continue
        designate_handler(person=person, by=by)
        stdout.write(f"  {email} designated as hotline handler (sets up their own key on first visit)")
