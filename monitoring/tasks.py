"""Background jobs (django-tasks): a large upload is imported by the task worker."""

from django_tasks import task


@task()
def import_access_log(log_import_id: int) -> str:
    from .importing import log_import_process
    from .models import LogImport

    log_import = LogImport.objects.get(pk=log_import_id)
    return log_import_process(log_import=log_import).status


@task()
def purge_access_events() -> int:
    """Daily: raw log rows older than the retention period go; findings stay."""
    from .retention import events_purge

    return events_purge()
