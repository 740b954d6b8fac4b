from django.core.management.base import BaseCommand

from whistleblowing.periodic import purge_expired_cases, retention_days


class Command(BaseCommand):
    help = "Destroy closed hotline cases older than HOTLINE_RETENTION_DAYS, keeping only a statistics stub."

    def handle(self, *args, **options):
        purged = purge_expired_cases()
        self.stdout.write(f"{purged} case(s) purged (retention {retention_days()} days after closure).")
