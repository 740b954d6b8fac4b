from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import CheckpointRefused, write_checkpoint


class Command(BaseCommand):
    help = (
        "Sign the audit chain's head into a new checkpoint file in AUDIT_CHECKPOINT_DIR (run by the "
        "scheduler, hourly). Refuses when the chain no longer matches the last checkpoint."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = write_checkpoint()
        except CheckpointRefused as exc:
            raise CommandError(f"Audit chain does not match the last checkpoint; nothing signed. {exc}") from exc
        if checkpoint is None:
            self.stdout.write("No new audit entries since the last checkpoint.")
        else:
            self.stdout.write(f"Checkpoint #{checkpoint.seq} written to {checkpoint.path}.")
