from django.core.management.base import BaseCommand

from monitoring.retention import event_retention_days, events_purge


class Command(BaseCommand):
    help = "Deletes raw access-log rows older than MONITORING_EVENT_RETENTION_DAYS (findings are kept). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Override the retention period for this run.")

    def handle(self, *args, days: int | None, **options):
        days = days or event_retention_days()
        deleted = events_purge(days=days)
        self.stdout.write(self.style.SUCCESS(f"deleted {deleted} access-log rows older than {days} days"))
