from django.core.management.base import BaseCommand

from infrastructure import task_workers


class Command(BaseCommand):
    help = (
        "Put the running tasks of dead task workers back in the queue (task_worker does this by itself; "
        "use this to run it once, or to name a worker you know is gone)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dead-after",
            type=float,
            default=task_workers.DEAD_AFTER_SECONDS,
            help="Heartbeat age in seconds after which a task_worker counts as dead (default: %(default)s).",
        )
        parser.add_argument(
            "--worker-id",
            action="append",
            default=[],
            dest="worker_ids",
            help="The id of a worker known to be dead; may be repeated.",
        )

    def handle(self, *args, dead_after: float, worker_ids: list[str], **options):
        recovered = task_workers.recover_lost_tasks(dead_after=dead_after, worker_ids=worker_ids)
        self.stdout.write(f"{len(recovered)} task(s) recovered.")
        for task_id in recovered:
            self.stdout.write(f"  {task_id}")
