"""Background jobs (django-tasks): every export, with progress the person can watch and the SHA-256 of its file."""

from django_tasks import TaskContext, task

from . import services


@task(takes_context=True)
def run_export(context: TaskContext, job_id: int) -> dict:
    # Claimed more than once means the worker of an earlier attempt died or lost the database
    # (infrastructure.task_workers) and left the job "running": this attempt writes the file afresh.
    job = services.export_job_run(job_id=job_id, resume=len(context.task_result.worker_ids) > 1)
    return {"status": job.status, "rows": job.processed}
