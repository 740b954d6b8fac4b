from django_tasks import TaskContext, task


@task(takes_context=True)
def run_hr_import_job(context: TaskContext, job_id: int) -> str:
    from .services import hr_import_job_run

    # Claimed more than once means the worker of an earlier attempt died or lost the database
    # (portal.task_workers): that attempt's import rolled back, so this one takes the job over.
    return hr_import_job_run(job_id=job_id, resume=len(context.task_result.worker_ids) > 1).status
