"""Hotline test data through the real services: a designation takes a proposer and a second approver."""

from people.models import Person
from people.roles import COMPLIANCE_EDITORS
from whistleblowing import handlers
from whistleblowing.models import HandlerDesignation

from . import people as pf

SECOND_APPROVER_EMAIL = "compliance-second@example.jp"


def second_approver() -> Person:
    """A second compliance editor, the one who approves what the tests' compliance officer proposes."""
    existing = Person.objects.filter(email=SECOND_APPROVER_EMAIL).first()
    if existing is None:
        existing = pf.person(email=SECOND_APPROVER_EMAIL, groups=(COMPLIANCE_EDITORS,), unit_code="COMPLIANCE")
        pf.enrol_totp(existing)  # compliance staff use the admin only with MFA
    return existing


def designate(*, person: Person, by: Person, approver: Person | None = None) -> HandlerDesignation:
    """Propose `person` as `by`, then approve as `approver` (by default a second compliance editor)."""
    designation = handlers.designate_handler(person=person, by=by)
    return handlers.designation_approve(designation=designation, by=approver or second_approver())
