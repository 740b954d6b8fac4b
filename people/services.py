from django.db import transaction
from django.utils import timezone

from audit.services import audit_record

from .hr_import import HRImportError, hr_import_run
from .models import HRImportJob, Person

MAX_ERRORS_KEPT = 500


@transaction.atomic
def hr_import_job_create(
    *, uploaded_by: Person, filename: str, content: bytes, allow_mass_deactivation: bool
) -> HRImportJob:
    job = HRImportJob.objects.create(
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content=content,
        allow_mass_deactivation=allow_mass_deactivation,
    )
    audit_record(actor=uploaded_by, action="hr_import.uploaded", target=job, detail={"filename": job.filename})
    from .tasks import run_hr_import_job

    transaction.on_commit(lambda: run_hr_import_job.enqueue(job.pk))
    return job


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
