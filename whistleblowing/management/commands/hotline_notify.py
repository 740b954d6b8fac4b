from django.core.management.base import BaseCommand

from whistleblowing.periodic import send_pending_notifications


class Command(BaseCommand):
    help = (
        "E-mail designated handlers (without content) about new hotline cases and new information. "
        "Run from cron, e.g. hourly: reporters' actions are never notified at the moment they happen."
    )

    def handle(self, *args, **options):
        sent = send_pending_notifications()
        self.stdout.write(f"{sent} notification e-mail(s) sent.")
