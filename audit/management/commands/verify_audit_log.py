from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import read_checkpoints, verify_against_checkpoints
from audit.models import AuditEntry
from audit.services import audit_verify_chain


class Command(BaseCommand):
    help = (
        "Checks that the audit log's hash chain is complete and unaltered, and that it still holds the "
        "entries signed in the checkpoints outside the database (AUDIT_CHECKPOINT_DIR)."
    )

    def handle(self, *args, **options):
        checkpoints, unsigned = read_checkpoints()
        breaks = [*audit_verify_chain(), *unsigned, *verify_against_checkpoints(checkpoints)]
        for item in breaks:
            self.stderr.write(f"#{item.seq}: {item.reason}")
        if breaks:
            raise CommandError(f"Audit chain broken in {len(breaks)} place(s).")
        count = AuditEntry.objects.count()
        if checkpoints:
            latest = checkpoints[-1]
            anchored = f" Matches {len(checkpoints)} signed checkpoint(s), the latest at #{latest.seq} ({latest.at})."
        else:
            anchored = " No signed checkpoint yet: a rewritten chain could not be told apart (run audit_checkpoint)."
            self.stderr.write(self.style.WARNING(anchored.strip()))
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries.{anchored}"))
