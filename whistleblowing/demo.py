"""Demo data for the hotline: handler@example.jp in the register, with a key pair.

Designation takes two people, so compliance@example.jp proposes and the head of the compliance
department (行為規制遵守推進室), made a compliance editor here, approves. The handler's key pair is
set up with `DEMO_HANDLER_PASSPHRASE`, which `manage.py demo --print-logins` prints with the
logins, so that the demo hotline accepts reports and a newcomer can open them. A real handler
chooses their own passphrase on first visit to /hotline/cases/; the demo refuses to run under
production settings.
"""

from django.contrib.auth.models import Group

from people.models import Person
from people.roles import COMPLIANCE_EDITORS

from .handlers import designate_handler, designation_approve, handler_key_setup
from .models import HandlerDesignation, HandlerKey
from .selectors import active_designation

DEMO_HANDLERS = ["handler@example.jp"]
DESIGNATED_BY = "compliance@example.jp"
# Demo only, printed with the logins. Rated 4 by zxcvbn, as every handler passphrase must be.
DEMO_HANDLER_PASSPHRASE = "demo-kakigori-furin-semishigure-2026"  # noqa: S105 - published demo data


def _approver(*, exclude: list[str]) -> Person | None:
    """The second person: the first member of the compliance department other than the demo accounts."""
    person = (
        Person.objects.filter(is_active=True, unit__code="COMPLIANCE")
        .exclude(email__in=exclude)
        .order_by("employee_number")
        .first()
    )
    if person is not None:
        person.groups.add(Group.objects.get_or_create(name=COMPLIANCE_EDITORS)[0])
        person.__dict__.pop("_group_names", None)
    return person


def load(stdout) -> None:
    by = Person.objects.filter(email=DESIGNATED_BY).first()
    for email in DEMO_HANDLERS:
        person = Person.objects.filter(email=email).first()
        if person is None or by is None:
            stdout.write(f"  {email} or {DESIGNATED_BY} not found; load the people demo first")
            continue
        if active_designation(person=person) is None:
            approver = _approver(exclude=[DESIGNATED_BY, *DEMO_HANDLERS])
            if approver is None:
                stdout.write("  nobody in the compliance department to approve the designation")
                continue
            designation = HandlerDesignation.objects.filter(person=person, revoked_at__isnull=True).first()
            designation = designation or designate_handler(person=person, by=by)
            designation_approve(designation=designation, by=approver)
            stdout.write(
                f"  {email} designated as hotline handler (proposed by {by.email}, approved by {approver.email})"
            )
        else:
            stdout.write(f"  {email} already designated")
        if not HandlerKey.objects.filter(person=person).exists():
            handler_key_setup(person=person, passphrase=DEMO_HANDLER_PASSPHRASE)
            stdout.write(f"  {email} has a hotline key pair (demo passphrase, printed with the logins)")


def login_notes() -> list[str]:
    """Printed by `manage.py demo --print-logins` under the logins."""
    return [f"Hotline key passphrase of {DEMO_HANDLERS[0]} (demo only): {DEMO_HANDLER_PASSPHRASE}"]
