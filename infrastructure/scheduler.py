"""The one scheduler process: runs each periodic job once per slot, however many schedulers run.

Jobs are management commands named in `settings.PORTAL_PERIODIC_JOBS`, so the platform never
imports the apps whose work it schedules (the hotline above all). A job's slots are fixed times
in the portal's time zone: every `every` seconds, shifted by `at` seconds after local midnight
(a daily job at 07:00 has `every=86400, at=7*3600`). A scheduler runs the current slot of each
job if nobody has claimed it yet, so a scheduler started late still runs today's daily jobs, and
a job missed for several slots runs once, not once per missed slot: every job is idempotent.

The claim is an insert of (job, slot) under a unique constraint; a second scheduler's insert
fails and it skips the slot. A job that crashes keeps its claim (the row shows it unfinished or
failed): its next slot runs it again.
"""

import datetime
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PeriodicJobRun

logger = logging.getLogger("infrastructure.scheduler")

OUTPUT_LIMIT = 4000


@dataclass(frozen=True)
class Job:
    command: str
    every: int
    at: int = 0

    @property
    def name(self) -> str:
        return self.command

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """Start of the slot `now` falls in, counted in local wall-clock time (so 07:00 stays 07:00)."""
        local = timezone.localtime(now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        since_midnight = (local - midnight).total_seconds()
        day_number = local.date().toordinal()
        seconds = day_number * 86400 + since_midnight - self.at
        start = seconds - seconds % self.every + self.at
        day, rest = divmod(int(start), 86400)
        naive = datetime.datetime.combine(datetime.date.fromordinal(day), datetime.time()) + datetime.timedelta(
            seconds=rest
        )
        return timezone.make_aware(naive, timezone.get_current_timezone())


def configured_jobs() -> list[Job]:
    return [Job(**spec) for spec in settings.PORTAL_PERIODIC_JOBS]


def claim(*, job: Job, slot: datetime.datetime, now: datetime.datetime) -> PeriodicJobRun | None:
    """Take the slot, or None when another scheduler already has it."""
    try:
        with transaction.atomic():
            return PeriodicJobRun.objects.create(job=job.name, slot=slot, started_at=now)
    except IntegrityError:
        return None


def run_job(*, job: Job, run: PeriodicJobRun) -> None:
    out = io.StringIO()
    try:
        call_command(job.command, stdout=out, stderr=out)
    except Exception:
        # One failing job must not stop the others or the scheduler; the row and the log say it.
        logger.exception("periodic job %s failed", job.name)
        run.succeeded = False
    else:
        run.succeeded = True
        logger.info("periodic job %s: %s", job.name, out.getvalue().strip())
    run.output = out.getvalue()[-OUTPUT_LIMIT:]
    run.finished_at = timezone.now()
    run.save(update_fields=["succeeded", "output", "finished_at"])


def run_due(*, jobs: Iterable[Job] | None = None, now: datetime.datetime | None = None) -> list[str]:
    """Run every job whose current slot nobody has claimed; returns the names of the jobs run."""
    ran = []
    for job in configured_jobs() if jobs is None else jobs:
        moment = now or timezone.now()
        slot = job.slot(moment)
        if PeriodicJobRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        run = claim(job=job, slot=slot, now=moment)
        if run is None:
            continue
        run_job(job=job, run=run)
        ran.append(job.name)
    return ran
