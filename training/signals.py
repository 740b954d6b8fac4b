"""Receivers: keep assignments in step with people and modules, and count quiz passes.

They stay thin: each hands over to a task or a service.
"""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from people.models import Person
from people.signals import people_synchronised, person_transferred, unit_moved
from quizzes.signals import attempt_graded

from . import services, tasks
from .models import TrainingModulePage


@receiver(people_synchronised, dispatch_uid="training.people_synchronised")
def on_people_synchronised(sender, created_ids=(), transferred_ids=(), deactivated_ids=(), **kwargs):
    ids = sorted({*created_ids, *transferred_ids, *deactivated_ids})
    if ids:
        tasks.sync_assignments.enqueue(person_ids=ids)


@receiver(person_transferred, dispatch_uid="training.person_transferred")
def on_person_transferred(sender, transfer, **kwargs):
    services.checklist_create_for_transfer(transfer=transfer)
    tasks.sync_assignments.enqueue(person_ids=[transfer.person_id])


@receiver(unit_moved, dispatch_uid="training.unit_moved")
def on_unit_moved(sender, unit, **kwargs):
    # Module audiences name units by path: the people below a moved unit may now be in others.
    ids = list(Person.objects.filter(unit__in=unit.subtree()).values_list("pk", flat=True))
    if ids:
        tasks.sync_assignments.enqueue(person_ids=ids)


@receiver(page_published, sender=TrainingModulePage, dispatch_uid="training.module_published")
def on_module_published(sender, instance, **kwargs):
    module_id = instance.pk
    transaction.on_commit(lambda: tasks.sync_assignments.enqueue(module_ids=[module_id]))


@receiver(attempt_graded, dispatch_uid="training.attempt_graded")
def on_attempt_graded(sender, attempt, **kwargs):
    # What follows from the grading (completion, certificate) is dated by the attempt, not by when
    # the receiver runs: the same moment in production, the historical one when a loader writes history.
    services.assignment_record_quiz_result(attempt=attempt, now=attempt.submitted_at)
