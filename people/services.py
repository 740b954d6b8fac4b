from collections import Counter

from django.db import router, transaction
from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.services import audit_record

from .models import HRImportJob, Person, Unit
from .signals import unit_moved
from .tasks import run_hr_import_job


@transaction.atomic
def hr_import_job_create(
    *, uploaded_by: Person, filename: str, content: bytes, allow_mass_deactivation: bool
) -> HRImportJob:
    job = HRImportJob.objects.create(
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content=content,
        allow_mass_deactivation=allow_mass_deactivation,
    )
    audit_record(actor=uploaded_by, action="hr_import.uploaded", target=job, detail={"filename": job.filename})
    transaction.on_commit(lambda: run_hr_import_job.enqueue(job.pk))
    return job


# --- The unit tree ----------------------------------------------------------------------------
# treebeard writes paths with queryset updates and relies on the nodes it is given being current:
# a unit or parent read before another unit was added or moved may hold a path that has since
# changed (a sorted insert shifts the later siblings), so each of these reads them again.


@transaction.atomic
def unit_add(*, unit: Unit, parent: Unit | None = None, actor: Person | None = None) -> Unit:
    """Store a new unit (built but not saved) under `parent`, or as a top-level unit, in code order.

    Audited when a person adds it (`actor`, the admin); the loaders, which build the demo's or a
    benchmark's tree on nobody's behalf, pass none and write no entry.
    """
    if parent is None:
        unit = Unit.add_root(instance=unit)
    else:
        unit = Unit.objects.get(pk=parent.pk).add_child(instance=unit)
    if actor is not None:
        audit_record(
            actor=actor,
            action="people.unit_created",
            target=unit,
            detail={"unit": unit.code, "name": unit.name, "parent": getattr(parent, "code", None)},
        )
    return unit


class UnitInUse(Exception):
    """The unit still has units below it, or rows that name it: `reasons` says which, for its reader."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def unit_delete_blockers(unit: Unit) -> list[str]:
    """Why `unit` cannot be deleted, worded for the person who asked (empty when it can be).

    Its people, the transfers and checklists that name it, and the monitoring findings made for it
    keep it (their foreign keys protect it), as do the units below it, which would go with it.
    """
    reasons = []
    if children := unit.get_children_count():
        reasons.append(_("Units below it: %(count)d") % {"count": children})
    try:
        Collector(using=router.db_for_write(Unit), origin=unit).collect([unit])
    except ProtectedError as protected:
        counts = Counter(capfirst(row._meta.verbose_name_plural) for row in protected.protected_objects)
        reasons += [_("%(things)s that name it: %(count)d") % {"things": k, "count": n} for k, n in counts.items()]
    return reasons


@transaction.atomic
def unit_delete(*, unit: Unit, actor: Person | None) -> None:
    """Delete `unit`, audited; raises UnitInUse, deleting nothing, while anything still needs it."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if reasons := unit_delete_blockers(unit):
        raise UnitInUse(reasons)
    parent = unit.get_parent()
    audit_record(
        actor=actor,
        action="people.unit_deleted",
        target=unit,
        # Codes, as for a move: the entry must read the same once the unit is gone.
        detail={"unit": unit.code, "name": unit.name, "parent": getattr(parent, "code", None)},
    )
    unit.delete()


@transaction.atomic
def unit_move(*, unit: Unit, parent: Unit | None, actor: Person | None) -> Unit:
    """Put `unit` and its subtree under `parent` (None: at the top), in code order among its siblings.

    Also used after a code change with the same parent, to put the unit back in code order; only a
    change of parent is audited, as only that changes whose results the managers above see.
    `actor` is None for the loaders, which move units on nobody's behalf.
    """
    unit = Unit.objects.get(pk=unit.pk)
    old_parent = unit.get_parent()
    if parent is None:
        # Roots have no parent node to move under: place it among the other roots.
        sibling = Unit.get_root_nodes().exclude(pk=unit.pk).first()
        if sibling is not None:
            unit.move(sibling, "sorted-sibling")
    else:
        unit.move(Unit.objects.get(pk=parent.pk), "sorted-child")
    unit.refresh_from_db()
    new_parent = unit.get_parent()
    if new_parent != old_parent:
        audit_record(
            actor=actor,
            action="people.unit_moved",
            target=unit,
            # Codes rather than ids, so the entry reads the same after a unit is deleted; None is the top.
            detail={
                "unit": unit.code,
                "from": getattr(old_parent, "code", None),
                "to": getattr(new_parent, "code", None),
            },
        )
        unit_moved.send(sender=Unit, unit=unit)
    return unit


@transaction.atomic
def unit_managers_set(*, unit: Unit, managers, actor: Person | None) -> None:
    """Make `managers` the unit's managers; audited when that changes, as a manager sees the training
    results of everyone in the unit and below it."""
    before = set(unit.managers.values_list("employee_number", "pk"))
    unit.managers.set(managers)
    after = set(unit.managers.values_list("employee_number", "pk"))
    if after != before:
        # Employee numbers (else ids, for a person without one) read the same after someone leaves.
        audit_record(
            actor=actor,
            action="people.unit_managers_changed",
            target=unit,
            detail={
                "unit": unit.code,
                "added": sorted(number or str(pk) for number, pk in after - before),
                "removed": sorted(number or str(pk) for number, pk in before - after),
            },
        )
