from django.core.management.base import BaseCommand

from training.services import reminders_send


class Command(BaseCommand):
    help = "Send today's training reminder digests (safe to run more than once a day: nothing is sent twice)."

    def handle(self, *args, **options):
        run = reminders_send()
        self.stdout.write(f"people={len(run.people)} managers={len(run.managers)}")
