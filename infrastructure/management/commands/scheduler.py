"""`manage.py scheduler`: the periodic jobs (docs/deployment.md, "Processes")."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, close_old_connections

from infrastructure import scheduler

logger = logging.getLogger("infrastructure.scheduler")


class Command(BaseCommand):
    help = (
        "Run the periodic jobs of PORTAL_PERIODIC_JOBS (hotline notices, reminders and purge, training "
        "reminders, audit checkpoints), each once per slot even when several schedulers run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the jobs that are due, then exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between looks at the clock (default: %(default)s)."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        for job in scheduler.configured_jobs():
            self.stdout.write(f"{job.name}: every {job.every} s" + (f", at +{job.at} s" if job.at else ""))
        while True:
            try:
                ran = scheduler.run_due()
            except (DatabaseError, InterfaceError):
                # The database went away: wait for it rather than exit (as task_worker does).
                logger.warning("scheduler: database unavailable, retrying in %s s", interval)
                ran = []
            if ran:
                self.stdout.write("ran: " + ", ".join(ran))
            if once:
                return
            close_old_connections()
            time.sleep(interval)
