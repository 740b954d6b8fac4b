"""Background jobs (django-tasks): a large upload is imported by the task worker."""

from django_tasks import task


@task()
def import_access_log(log_import_id: int) -> str:
    from .importing import log_import_process
    from .models import LogImport

    log_import = LogImport.objects.get(pk=log_import_id)
    return log_import_process(log_import=log_import).status
