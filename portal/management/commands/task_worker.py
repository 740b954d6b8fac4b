"""`db_worker` with a heartbeat: what production runs (docs/deployment.md, "Faults and recovery")."""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from portal import task_workers


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
        task_workers.register(worker_id=worker_id)
        thread = task_workers.Heartbeat(worker_id=worker_id, interval=heartbeat, dead_after=dead_after)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            # A clean stop (SIGTERM lets the current task finish first) leaves nothing to recover.
            thread.stop()
            task_workers.unregister(worker_id=worker_id)
