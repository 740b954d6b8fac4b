"""The id register: which person holds each grid-system user id, and from when it must fall silent.

Entries come from the HR data (grid staff's accounts), from auditors, and from two facts the
portal already records:
* a transfer from a grid-company unit to a retailer unit sets `holder_moved_on` on every id the
  person holds (the seed's 20 people kept using their old grid ids after such a move);
* a transfer checklist confirmed with "I no longer use the system IDs of my previous unit" sets
  `removal_due_on` to the day of that confirmation, where no date was set already.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from people.models import Company, Person, Transfer
from training.models import TransferChecklist

from .auditors import require_auditor
from .models import AccessEvent, SystemAccount


@transaction.atomic
def register_upsert(
    *,
    system: str,
    account_id: str,
    person: Person | None,
    origin: str = SystemAccount.Origin.MANUAL,
    by: Person | None = None,
    holder_moved_on: dt.date | None = None,
    removal_due_on: dt.date | None = None,
    removed_on: dt.date | None = None,
    note: str = "",
) -> SystemAccount:
    """Record who holds an id (by an auditor, or by the HR data when `by` is None).

    Events already imported under that id are given the holder too, so the rules see them.
    """
    if by is not None:
        require_auditor(by)
    account_id = account_id.strip()
    if not account_id:
        raise ValueError("An account id is required.")
    entry, created = SystemAccount.objects.select_for_update().get_or_create(
        system=system, account_id=account_id, defaults={"person": person, "origin": origin}
    )
    before = {
        "person": entry.person_id,
        "holder_moved_on": entry.holder_moved_on,
        "removal_due_on": entry.removal_due_on,
        "removed_on": entry.removed_on,
    }
    entry.person = person
    entry.origin = origin
    for name, value in (
        ("holder_moved_on", holder_moved_on),
        ("removal_due_on", removal_due_on),
        ("removed_on", removed_on),
    ):
        if value is not None:
            setattr(entry, name, value)
    if note:
        entry.note = note[:500]
    entry.save()
    if created or before["person"] != entry.person_id:
        AccessEvent.objects.filter(source__system=system, account_id=account_id).exclude(
            person_id=entry.person_id
        ).update(person=entry.person)
    after = {
        "person": entry.person_id,
        "holder_moved_on": entry.holder_moved_on,
        "removal_due_on": entry.removal_due_on,
        "removed_on": entry.removed_on,
    }
    audit_record(
        actor=by,
        action="monitoring.register_created" if created else "monitoring.register_updated",
        target=entry,
        detail={
            "system": system,
            "account_id": account_id,
            "origin": origin,
            "changed": {
                k: (str(v) if isinstance(v, dt.date) else v) for k, v in after.items() if created or before[k] != v
            },
        },
    )
    return entry


@transaction.atomic
def register_sync_from_transfers() -> dict[str, int]:
    """Dates from transfers and checklists into the register; writes only what is missing.

    Entries an auditor made by hand are left as they are: an auditor who records an id a
    transferee holds with a reason (a permitted, public-only account) sets its dates themselves,
    and the transfer must not turn every later use of it into a finding.

    Queries: a fixed handful plus one update per person whose dates change (none on a re-run).
    """
    holders = set(SystemAccount.objects.filter(person__isnull=False).values_list("person_id", flat=True).distinct())
    moved: dict[int, dt.date] = {}
    for person_id, day in Transfer.objects.filter(
        person_id__in=holders,
        from_unit__company__kind=Company.Kind.GRID,
        to_unit__company__kind=Company.Kind.RETAILER,
    ).values_list("person_id", "effective_on"):
        # The first move to the retailer: from then on the grid ids should be silent.
        if person_id not in moved or day < moved[person_id]:
            moved[person_id] = day
    confirmed: dict[int, dt.date] = {}
    for person_id, items, at in TransferChecklist.objects.filter(
        person_id__in=holders, confirmed_at__isnull=False
    ).values_list("person_id", "confirmed_items", "confirmed_at"):
        if TransferChecklist.Item.OLD_IDS_UNUSED in (items or []):
            day = timezone.localdate(at)
            if person_id not in confirmed or day < confirmed[person_id]:
                confirmed[person_id] = day

    synced = SystemAccount.objects.exclude(origin=SystemAccount.Origin.MANUAL)
    pending_moves = set(
        synced.filter(person_id__in=moved.keys(), holder_moved_on__isnull=True).values_list("person_id", flat=True)
    )
    pending_removals = set(
        synced.filter(person_id__in=confirmed.keys(), removal_due_on__isnull=True).values_list("person_id", flat=True)
    )
    counts = {"holder_moved_on": 0, "removal_due_on": 0}
    for person_id in sorted(pending_moves):
        counts["holder_moved_on"] += synced.filter(person_id=person_id, holder_moved_on__isnull=True).update(
            holder_moved_on=moved[person_id]
        )
    for person_id in sorted(pending_removals):
        counts["removal_due_on"] += synced.filter(person_id=person_id, removal_due_on__isnull=True).update(
            removal_due_on=confirmed[person_id]
        )
    if any(counts.values()):
        audit_record(
            actor=None,
            action="monitoring.register_synced",
            target_type="monitoring.systemaccount",
            detail={**counts, "people": sorted(pending_moves | pending_removals)},
        )
    return counts
