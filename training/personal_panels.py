"""Each person's open training, rendered once and kept until a write changes it.

The home panel and My training list a person's assignments, acknowledgements still owed and
transfer checklists: four queries and a template on every view, for facts that change a few
times a month. Their HTML is cached per person and language under a key holding

- the person's generation, renewed by the signals of their own rows: assignments, lesson progress,
  certificates, acknowledgements, the person and their job roles;
- a shared generation, renewed by what can touch many people at once: the assignment sync
  (its bulk writes send no signals, so the service renews it itself), an HR import, any transfer
  checklist (its countersigners are managers up the unit tree), units (saved or moved) and their
  managers;
- the attestation catalogue's generation (documents and audiences) and the published-pages
  generation (module titles and addresses);
- the Japan date, since an assignment turns overdue at midnight.

A generation is renewed before and again after the write commits (`portal.fragments.renew`), so
a panel read from the rows before a change is stored under a key nobody reads again. `TTL`
bounds what no signal reports (an UPDATE typed by hand).
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language

from people.models import Person, Unit
from people.signals import people_synchronised, unit_moved
from portal import fragments
from portal.models import PUBLISHED_PAGES

from . import attestation_catalogue
from .dates import today_jst
from .models import Acknowledgement, Assignment, Certificate, LessonProgress, TransferChecklist

SHARED = "training-personal-panels"
TTL = 10 * 60


def _own(person_id: int) -> str:
    return f"training-person-{person_id}"


def panel_key(person, name: str) -> str:
    own, shared, catalogue, pages = fragments.generations(
        _own(person.pk), SHARED, attestation_catalogue.GENERATION, PUBLISHED_PAGES
    )
    return ":".join(("training", name, str(person.pk), own, shared, catalogue, pages, str(today_jst()), get_language()))


def cached_panel(person, name: str, render: Callable[[], str]) -> str:
    """`render()`'s HTML for this person, from the cache while nothing it shows has changed."""
    return cache.get_or_set(panel_key(person, name), render, TTL)


def person_changed(person_id: int | None) -> None:
    if person_id is not None:
        fragments.renew(_own(person_id))


def many_people_changed() -> None:
    fragments.renew(SHARED)


@receiver([post_save, post_delete], sender=Assignment, dispatch_uid="training.panels.assignment")
@receiver([post_save, post_delete], sender=Acknowledgement, dispatch_uid="training.panels.acknowledgement")
def on_own_row_changed(sender, instance, **kwargs):
    person_changed(instance.person_id)


@receiver([post_save, post_delete], sender=LessonProgress, dispatch_uid="training.panels.lesson")
@receiver([post_save, post_delete], sender=Certificate, dispatch_uid="training.panels.certificate")
def on_assignment_detail_changed(sender, instance, **kwargs):
    person_changed(Assignment.objects.filter(pk=instance.assignment_id).values_list("person_id", flat=True).first())


@receiver(post_save, sender=Person, dispatch_uid="training.panels.person")
def on_person_saved(sender, instance, **kwargs):
    person_changed(instance.pk)


@receiver(m2m_changed, sender=Person.job_roles.through, dispatch_uid="training.panels.person_roles")
def on_person_roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a role's people changed (from the role's side)
        many_people_changed()
    else:
        person_changed(instance.pk)


@receiver([post_save, post_delete], sender=TransferChecklist, dispatch_uid="training.panels.checklist")
@receiver([post_save, post_delete], sender=Unit, dispatch_uid="training.panels.unit")
@receiver(m2m_changed, sender=Unit.managers.through, dispatch_uid="training.panels.unit_managers")
@receiver(people_synchronised, dispatch_uid="training.panels.people_synchronised")
@receiver(unit_moved, dispatch_uid="training.panels.unit_moved")  # treebeard moves send no post_save
def on_shared_change(sender, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):
        many_people_changed()
