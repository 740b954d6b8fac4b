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
def export_job_create(
    *,
    actor: Person,
    table: str,
    fmt: str,
    cycle: str,
    unit_ids: list[int] | None,
    scope: dict,
    unit_code: str | None = None,
) -> ExportJob:
    """Record who asked for which export; the file itself is written by the task `run_export`."""
    job = ExportJob.objects.create(
        requested_by=actor,
        table=table,
        fmt=fmt,
        params={"cycle": cycle, "unit_ids": unit_ids, "unit_code": unit_code, "scope": scope},
    )
    export_record(actor=actor, table=table, fmt=fmt, scope={**scope, "job": job.pk}, rows=None)
    return job


def _job_table(job: ExportJob) -> exports.Table:
    """The table a job exports, computed now for the scope stored when it was asked for."""
    params = job.params
    if job.table in exports.ROW_LEVEL:
        return exports.row_level_table(name=job.table, cycle=params["cycle"], unit_ids=params["unit_ids"])
    from . import selectors

    # Summary tables are what the person's dashboard shows: computed with their rights as they are now.
    viewer = selectors.viewer_for(job.requested_by)
    if viewer is None:
        raise PermissionError("The person who asked for this export may no longer see the dashboard.")
    board = selectors.dashboard(viewer=viewer, cycle=params["cycle"], unit_code=params.get("unit_code"))
    return exports.summary_table(name=job.table, dashboard=board)


def export_job_run(*, job_id: int, resume: bool = False) -> ExportJob:
    """Write the file for a job, updating its progress every few thousand rows (not atomic: progress must show).

    The file's SHA-256 and size are stored with it. `resume`: the run that started the job died,
    so a job left "running" is run again.
    """
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
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
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        unit_code = job.params.get("unit_code")
        filename = f"{job.table}-{unit_code + '-' if unit_code else ''}{job.params['cycle']}-{stamp}.{job.fmt}"

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(processed=done)

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, filename)
            if job.fmt == "json":
                written = _write_xapi(job, path)
            else:
                table = _job_table(job)
                total = table.count if table.count is not None else len(table.rows)
                ExportJob.objects.filter(pk=job.pk).update(total=total)
                if job.fmt == "xlsx":
                    written = exports.write_xlsx(table, path, progress=_every(progress))
                else:
                    with open(path, "wb") as out:
                        written = exports.write_csv(table, out, progress=_every(progress))
            digest, size = _sha256_of(path)
            job.refresh_from_db()
            with open(path, "rb") as handle:
                job.file.save(filename, File(handle), save=False)
        job.filename = filename
        job.processed = written
        job.total = max(job.total, written)
        job.sha256 = digest
        job.size = size
        job.status = ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "processed", "total", "sha256", "size", "status", "finished_at"])
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    return job


def _write_xapi(job: ExportJob, path: str) -> int:
    count = 0

    def counted():
        nonlocal count
        for statement in xapi.statements(cycle=job.params["cycle"], unit_ids=job.params["unit_ids"]):
            count += 1
            yield statement

    with open(path, "wb") as out:
        for chunk in xapi.json_chunks(counted()):
            out.write(chunk)
    return count


def _sha256_of(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


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
