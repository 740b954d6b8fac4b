"""`db_worker` with a heartbeat: what production runs (docs/deployment.md, "Faults and recovery")."""

import logging
import time

from django.db import DatabaseError, InterfaceError, connection
from django_tasks_db.compat import task_finished
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from infrastructure import task_workers

logger = logging.getLogger("infrastructure.task_workers")


class Command(DBWorkerCommand):
    help = "Run a database task worker that keeps a heartbeat and puts the tasks of dead workers back in the queue."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=task_workers.HEARTBEAT_SECONDS,
            help="Seconds between heartbeats (default: %(default)s).",
        )
        parser.add_argument(
            "--dead-after",
            type=float,
            default=task_workers.DEAD_AFTER_SECONDS,
            help="A worker on another machine whose heartbeat is this old is dead (default: %(default)s).",
        )

    def handle(self, *args, heartbeat: float, dead_after: float, **options):
        worker_id = options["worker_id"]
        task_finished.connect(task_workers.requeue_if_database_lost)
        task_workers.register(worker_id=worker_id)
        thread = task_workers.Heartbeat(worker_id=worker_id, interval=heartbeat, dead_after=dead_after)
        thread.start()
        try:
            while True:
                try:
                    return super().handle(*args, **options)
                except (DatabaseError, InterfaceError):
                    # db_worker stops on a lost database (a restart, a failover) and may leave the
                    # task it was running marked RUNNING under our id. Wait for the database, hand
                    # that task back to the queue and carry on, rather than exit.
                    logger.exception("Task worker %s lost the database; waiting for it.", worker_id)
                    self._wait_for_database(interval=heartbeat)
                    task_workers.recover_lost_tasks(dead_after=None, worker_ids=[worker_id], me=worker_id)
        finally:
            # A clean stop (SIGTERM lets the current task finish first) leaves nothing to recover.
            thread.stop()
            task_workers.unregister(worker_id=worker_id)

    @staticmethod
    def _wait_for_database(*, interval: float) -> None:
        while True:
            connection.close()
            try:
                connection.ensure_connection()
                return
            except (DatabaseError, InterfaceError):
                time.sleep(min(interval, 5.0))
