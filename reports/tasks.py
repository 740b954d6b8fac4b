"""Background jobs (django-tasks): large exports, with progress the person can watch."""

from django_tasks import task

from . import services


@task()
def run_export(job_id: int) -> dict:
    job = services.export_job_run(job_id=job_id)
    return {"status": job.status, "rows": job.processed}
