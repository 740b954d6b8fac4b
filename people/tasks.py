"""What the task worker runs for people: an uploaded HR import.

The job's body lives here, beside its task, and `services.hr_import_job_create` enqueues it; the
task does not call back into the services, so the two modules do not import each other.
"""

from django.utils import timezone
from django_tasks import TaskContext, task

from audit.services import audit_record

from .hr_import import HRImportError, hr_import_run
from .models import HRImportJob

MAX_ERRORS_KEPT = 500


@task(takes_context=True)
def run_hr_import_job(context: TaskContext, job_id: int) -> str:
    # Claimed more than once means the worker of an earlier attempt died or lost the database
    # (infrastructure.task_workers): that attempt's import rolled back, so this one takes the job over.
    return hr_import_job_run(job_id=job_id, resume=len(context.task_result.worker_ids) > 1).status


def hr_import_job_run(*, job_id: int, resume: bool = False) -> HRImportJob:
    """Run one uploaded import; progress is written to the job row as it goes (outside the import's transaction).

    `resume`: the task runs again because the run that claimed the job died, so a job left
    "running" is taken over (the import is all or nothing, and applying a snapshot twice
    changes nothing the second time).
    """
    job = HRImportJob.objects.get(pk=job_id)
    # Claim the job atomically: a duplicated task finds it taken and does nothing.
    claimable = [HRImportJob.Status.PENDING, HRImportJob.Status.RUNNING] if resume else [HRImportJob.Status.PENDING]
    claimed = HRImportJob.objects.filter(pk=job.pk, status__in=claimable).update(status=HRImportJob.Status.RUNNING)
    if not claimed:
        return job

    def progress(phase: str, done: int, total: int) -> None:
        HRImportJob.objects.filter(pk=job.pk).update(phase=phase, processed=done, total=total)

    try:
        result = hr_import_run(
            raw=bytes(job.content), allow_mass_deactivation=job.allow_mass_deactivation, progress=progress
        )
    except HRImportError as exc:
        HRImportJob.objects.filter(pk=job.pk).update(
            status=HRImportJob.Status.FAILED,
            errors=[str(e) for e in exc.errors[:MAX_ERRORS_KEPT]],
            result={"error_count": len(exc.errors)},
            finished_at=timezone.now(),
        )
    else:
        summary = {
            key: getattr(result, key)
            for key in ("created", "updated", "transferred", "deactivated", "reactivated", "unchanged")
        }
        HRImportJob.objects.filter(pk=job.pk).update(
            status=HRImportJob.Status.SUCCEEDED, result=summary, finished_at=timezone.now()
        )
        audit_record(actor=job.uploaded_by, action="hr_import.applied", target=job, detail=summary)
    job.refresh_from_db()
    return job
