from django.db import transaction

from audit.services import audit_record

from .models import HRImportJob, Person
from .tasks import run_hr_import_job


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
    transaction.on_commit(lambda: run_hr_import_job.enqueue(job.pk))
    return job
