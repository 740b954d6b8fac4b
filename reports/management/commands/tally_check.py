from django.core.management.base import BaseCommand, CommandError

from reports import tallies


class Command(BaseCommand):
    help = (
        "Compares the dashboard's assignment tally (PostgreSQL) with the assignments themselves; "
        "--repair counts it afresh. Run it after restoring a backup or a bulk load that bypassed triggers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Count the tally afresh when it is wrong.")

    def handle(self, *args, repair: bool, **options):
        if not tallies.available():
            self.stdout.write("No tally on this database (SQLite counts the assignments themselves).")
            return
        wrong = tallies.check(repair=repair)
        if not wrong:
            self.stdout.write(self.style.SUCCESS("The tally matches the assignments."))
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"{wrong} key(s) were wrong; the tally was counted afresh."))
        else:
            raise CommandError(f"{wrong} key(s) of the tally differ from the assignments; run with --repair.")
