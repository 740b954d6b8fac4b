"""Drop the dashboard's cached figures (reports/caching.py) when something they count changes.

What the figures count: assignments (status, dates, archiving), the active people with their
unit, company, employment type and job roles, and graded quiz answers. Names, the unit tree,
attestations and checklists are read afresh on every page and need nothing here.

Writes that send no model signal are caught by what follows them: an HR import sends
`people_synchronised`; the assignment sync runs as a training task (`task_finished`) and, however
it is run, records `training.assignments_synced` in the audit log, as every training state change
records its entry; a graded attempt sends `attempt_graded`.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django_tasks.signals import task_finished
from wagtail.signals import page_published, page_unpublished

from audit.models import AuditEntry
from people.models import Person
from people.signals import people_synchronised, person_transferred
from quizzes.models import Attempt
from quizzes.signals import attempt_graded
from training.models import Assignment, TrainingModulePage

from .caching import figures_changed

# Audit entries of the state changes that can move the figures (reads such as "*_viewed" cannot).
COUNTED_AUDIT_ACTIONS = frozenset(
    {
        "training.assignments_synced",
        "training.assigned",
        "training.exempted",
        "training.completed",
        "training.failed_out",
        "training.attempts_reset",
        "hr_import.applied",
        "quiz.attempt_graded",
    }
)

# A person's fields the figures group or filter by; a login (last_login) changes none of them.
COUNTED_PERSON_FIELDS = frozenset({"is_active", "unit", "unit_id", "company", "company_id", "employment_type",
                                   "employment_type_id"})  # fmt: skip


def _touches(update_fields, counted: frozenset[str]) -> bool:
    return update_fields is None or not counted.isdisjoint(update_fields)


@receiver(post_save, sender=Assignment, dispatch_uid="reports.assignment_saved")
@receiver(post_delete, sender=Assignment, dispatch_uid="reports.assignment_deleted")
def on_assignment_changed(sender, **kwargs):
    figures_changed()


@receiver(post_save, sender=Person, dispatch_uid="reports.person_saved")
def on_person_saved(sender, created=False, update_fields=None, **kwargs):
    if created or _touches(update_fields, COUNTED_PERSON_FIELDS):
        figures_changed()


@receiver(post_delete, sender=Person, dispatch_uid="reports.person_deleted")
@receiver(post_delete, sender=Person.job_roles.through, dispatch_uid="reports.person_role_deleted")
def on_person_deleted(sender, **kwargs):
    figures_changed()


@receiver(m2m_changed, sender=Person.job_roles.through, dispatch_uid="reports.person_roles_changed")
def on_person_roles_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        figures_changed()


@receiver(post_save, sender=Attempt, dispatch_uid="reports.attempt_saved")
def on_attempt_saved(sender, update_fields=None, **kwargs):
    # Graded answers count once their attempt is submitted.
    if _touches(update_fields, frozenset({"status"})):
        figures_changed()


@receiver(attempt_graded, dispatch_uid="reports.attempt_graded")
@receiver(people_synchronised, dispatch_uid="reports.people_synchronised")
@receiver(person_transferred, dispatch_uid="reports.person_transferred")
def on_people_or_results_changed(sender, **kwargs):
    figures_changed()


@receiver(page_published, sender=TrainingModulePage, dispatch_uid="reports.module_published")
@receiver(page_unpublished, sender=TrainingModulePage, dispatch_uid="reports.module_unpublished")
def on_module_published(sender, **kwargs):
    figures_changed()


@receiver(task_finished, dispatch_uid="reports.task_finished")
def on_task_finished(sender, task_result, **kwargs):
    # The assignment sync and the HR import write in bulk (no model signals) inside their tasks.
    if task_result.task.module_path.startswith(("training.", "people.")):
        figures_changed()


@receiver(post_save, sender=AuditEntry, dispatch_uid="reports.audit_recorded")
def on_audit_recorded(sender, instance, created=False, **kwargs):
    if created and instance.action in COUNTED_AUDIT_ACTIONS:
        figures_changed()
