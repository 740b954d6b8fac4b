"""Who may work on monitoring: compliance auditors, by group membership only (never the superuser flag)."""

from people import roles


def is_auditor(person) -> bool:
    if person is None or not person.is_authenticated or not person.is_active:
        return False
    return person.in_group(roles.COMPLIANCE_AUDITORS)


def require_auditor(person) -> None:
    if not is_auditor(person):
        raise PermissionError("Only compliance auditors may do this.")
