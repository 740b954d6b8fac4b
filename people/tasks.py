from django_tasks import task


@task()
def run_hr_import_job(job_id: int) -> str:
    from .services import hr_import_job_run

    return hr_import_job_run(job_id=job_id).status
