"""Background jobs (django-tasks): run by the database worker, or by cron through the management commands."""

from django_tasks import task

from . import services
from .models import TrainingModulePage


@task()
def sync_assignments(person_ids: list[int] | None = None, module_ids: list[int] | None = None) -> dict:
    modules = list(TrainingModulePage.objects.filter(pk__in=module_ids)) if module_ids is not None else None
    result = services.assignments_sync(people=person_ids, modules=modules)
    return {"created": result.created, "archived": result.archived, "restored": result.restored}


@task()
def start_fiscal_year() -> dict:
    """Run on 1 April (and harmless any other day): opens the new cycle of every annual module."""
    result = services.assignments_sync()
    return {"created": result.created, "archived": result.archived, "restored": result.restored}


@task()
def send_reminders() -> dict:
    run = services.reminders_send()
    return {"people": len(run.people), "managers": len(run.managers)}
