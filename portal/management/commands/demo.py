from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


def demo_modules():
    """Each installed app's `demo` module, in INSTALLED_APPS order, with the app's label."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if module_name.partition(".")[0].isidentifier() and find_spec(module_name) is not None:
            yield config.label, import_module(module_name)


class Command(BaseCommand):
    help = "Loads the demo data of every app (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, print_logins: bool, **options):
        if print_logins:
            return self.print_logins()
        for label, module in demo_modules():
            self.stdout.write(f"{label}:")
            module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def print_logins(self):
        from people.demo import DEMO_PASSWORD, demo_logins

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for email, description in demo_logins():
            self.stdout.write(f"  {email:<24} {description}")
        self.stdout.write("Accounts marked MFA enrol an authenticator app (TOTP) on first login.")
        # Apps add their own lines (the hotline handler's key passphrase) through `login_notes()`
        # in their demo module, so the portal imports none of them by name.
        for _label, module in demo_modules():
            for line in getattr(module, "login_notes", list)():
                self.stdout.write(line)
        self.stdout.write("")
