from django.core.management.base import BaseCommand

from training.services import assignments_sync


class Command(BaseCommand):
    help = (
        "Bring training assignments in step with audiences (daily from the scheduler; "
        "on 1 April it opens the new year)."
    )

    def handle(self, *args, **options):
        result = assignments_sync()
        self.stdout.write(f"created={result.created} archived={result.archived} restored={result.restored}")
