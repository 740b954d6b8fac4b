from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry
from audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Checks that the audit log's hash chain is complete and unaltered."

    def handle(self, *args, **options):
        breaks = list(audit_verify_chain())
        for item in breaks:
            self.stderr.write(f"#{item.seq}: {item.reason}")
        if breaks:
            raise CommandError(f"Audit chain broken in {len(breaks)} place(s).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {AuditEntry.objects.count()} entries."))
