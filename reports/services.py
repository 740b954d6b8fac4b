"""Writes for reports: issuing a regulator report, recording exports, running export jobs."""

import datetime as dt
import hashlib
import os
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from people.models import Person

from . import exports, xapi
from .models import ExportJob, IssuedReport


@transaction.atomic
def regulator_report_issue(*, request, actor: Person, start: dt.date, end: dt.date) -> IssuedReport:
    """Render, hash and store the report; the stored bytes are what every later download returns."""
    from .pdf import regulator_report_pdf

    issued_at = timezone.now()
    pdf = regulator_report_pdf(request=request, start=start, end=end, issued_at=issued_at, issued_by=actor)
    report = IssuedReport.objects.create(
        period_start=start,
        period_end=end,
        issued_at=issued_at,
        issued_by=actor,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
    )
    audit_record(
        actor=actor,
        action="reports.regulator_report_issued",
        target=report,
        detail={"start": start.isoformat(), "end": end.isoformat(), "sha256": report.sha256},
    )
    return report


def export_record(*, actor: Person, table: str, fmt: str, scope: dict, rows: int | None) -> None:
    """Every export is in the audit log: who, which table, which scope, how many rows."""
    audit_record(
        actor=actor,
        action="reports.exported",
        detail={"table": table, "format": fmt, "scope": scope, "rows": rows},
    )


@transaction.atomic
def export_job_create(*, actor: Person, table: str, fmt: str, cycle: str, unit_ids: list[int] | None, scope: dict):
    job = ExportJob.objects.create(
        requested_by=actor,
        table=table,
        fmt=fmt,
        params={"cycle": cycle, "unit_ids": unit_ids, "scope": scope},
    )
    export_record(actor=actor, table=table, fmt=fmt, scope={**scope, "job": job.pk}, rows=None)
    return job


def export_job_run(*, job_id: int, resume: bool = False) -> ExportJob:
    """Write the file for a job, updating its progress every few thousand rows (not atomic: progress must show).

    `resume`: the run that started the job died, so a job left "running" is run again.
    """
    job = ExportJob.objects.get(pk=job_id)
    runnable = [ExportJob.Status.PENDING, ExportJob.Status.FAILED] + ([ExportJob.Status.RUNNING] if resume else [])
    # Claimed in one conditional UPDATE: of two runs that read the job at the same moment (a task
    # enqueued twice), only one finds it still runnable; the other leaves it to that one.
    claimed = ExportJob.objects.filter(pk=job.pk, status__in=runnable).update(
        status=ExportJob.Status.RUNNING, processed=0, error=""
    )
    if not claimed:
        job.refresh_from_db()
        return job
    try:
        table = exports.row_level_table(name=job.table, cycle=job.params["cycle"], unit_ids=job.params["unit_ids"])
        ExportJob.objects.filter(pk=job.pk).update(total=table.count)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(processed=done)

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{job.table}-{stamp}.{job.fmt}"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, filename)
            if job.fmt == "xlsx":
                written = exports.write_xlsx(table, path, progress=_every(progress))
            else:
                with open(path, "wb") as out:
                    written = exports.write_csv(table, out, progress=_every(progress))
            job.refresh_from_db()
            with open(path, "rb") as handle:
                job.file.save(filename, File(handle), save=False)
        job.filename = filename
        job.processed = written
        job.status = ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "processed", "status", "finished_at"])
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    return job


def _every(progress, step: int = 20_000):
    last = [0]

    def report(done: int) -> None:
        if done - last[0] >= step:
            last[0] = done
            progress(done)

    return report


def xapi_push(*, actor: Person, cycle: str, unit_ids: list[int] | None, scope: dict) -> int:
    sent = xapi.push(cycle=cycle, unit_ids=unit_ids)
    audit_record(actor=actor, action="reports.xapi_pushed", detail={"scope": scope, "statements": sent})
    return sent
