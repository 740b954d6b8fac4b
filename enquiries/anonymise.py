"""Removing the asker from text that is about to become a public Q&A entry."""

import re

from django.utils.translation import gettext as _


def asker_details(person) -> list[tuple[str, str]]:
    """(text to remove, placeholder) for everything that names or places the asker, longest first."""
    name = _("[name]")
    found: list[tuple[str, str]] = []
    full = f"{person.family_name}{person.given_name}"
    for candidate in [person.get_full_name(), full, person.family_name, person.given_name]:
        if candidate and len(candidate.strip()) >= 2:
            found.append((candidate.strip(), name))
    if person.email:
        found.append((person.email, _("[e-mail]")))
        found.append((person.email.split("@")[0], name))
    if person.employee_number:
        found.append((person.employee_number, _("[employee number]")))
    if person.unit_id:
        for unit in [person.unit, *person.unit.get_ancestors()]:
            found.append((unit.name, _("[unit]")))
    return sorted({(t, p) for t, p in found if len(t) >= 2}, key=lambda tp: -len(tp[0]))


def anonymise(text: str, person) -> str:
    for detail, placeholder in asker_details(person):
        text = re.sub(re.escape(detail), placeholder, text, flags=re.IGNORECASE)
    return text
