from django.core.management.base import BaseCommand

from whistleblowing.periodic import send_deadline_reminders


class Command(BaseCommand):
    help = "E-mail designated handlers (once a day, without content) about hotline deadlines due or overdue."

    def handle(self, *args, **options):
        sent = send_deadline_reminders()
        self.stdout.write(f"{sent} reminder e-mail(s) sent.")
