from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


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
        # `make totp`: the authenticator app of a newcomer without a phone.
        totp = parser.add_mutually_exclusive_group()
        totp.add_argument("--totp-email", help="Print the current TOTP code of this enrolled demo account.")
        totp.add_argument("--totp-secret", help="Print the current TOTP code of this secret (enrolment page).")

    def handle(self, *args, print_logins: bool, totp_email=None, totp_secret=None, **options):
        if not getattr(settings, "PORTAL_DEMO_ALLOWED", True):
            raise CommandError("The demo is switched off in these settings (production).")
        if totp_email or totp_secret:
            return self.print_totp(email=totp_email, secret=totp_secret)
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
        self.stdout.write("Accounts marked MFA enrol an authenticator app (TOTP) on first login. Without a phone:")
        self.stdout.write("  1. Log in; the page 認証アプリの有効化 shows a QR code and, below it, the secret.")
        self.stdout.write("  2. In another terminal: make totp SECRET=<that secret>   and type the 6 digits shown.")
        self.stdout.write("  3. Keep the recovery codes shown next if you like; you are in.")
        self.stdout.write("  Later logins ask for a code: make totp EMAIL=<the account>, e.g.")
        self.stdout.write("     make totp EMAIL=compliance@example.jp")
        self.stdout.write("  A code works once; make totp EMAIL=... prints one that has not been used yet.")
        # Apps add their own lines (the hotline handler's key passphrase) through `login_notes()`
        # in their demo module, so the portal imports none of them by name.
        for _label, module in demo_modules():
            for line in getattr(module, "login_notes", list)():
                self.stdout.write(line)
        self.stdout.write("")

    def print_totp(self, *, email: str | None, secret: str | None) -> None:
        import base64
        import binascii
        import time

        from people.mfa import totp_code, totp_current_step, totp_period

        step, used = totp_current_step(), set()
        if email:
            secret, used = self._enrolled_secret(email)
        try:
            base64.b32decode((secret or "").strip().encode("ascii"), casefold=True)
        except (binascii.Error, UnicodeEncodeError) as error:
            raise CommandError("That is not a TOTP secret (copy it from the enrolment page).") from error
        # A code is good once: an enrolled account gets the first code of its window not used yet
        # (the next period's code is accepted early, within MFA_TOTP_TOLERANCE).
        tolerance = getattr(settings, "MFA_TOTP_TOLERANCE", 0)
        fresh = [s for s in range(step, step + tolerance + 1) if s not in used]
        if not fresh:
            raise CommandError("Every code of this moment has been used; try again in 30 seconds.")
        left = (fresh[0] + 1) * totp_period() - int(time.time())
        self.stdout.write(f"{totp_code(secret.strip(), fresh[0])}  (valid for {left} s more)")

    def _enrolled_secret(self, email: str) -> tuple[str, set[int]]:
        from allauth.mfa.adapter import get_adapter
        from allauth.mfa.models import Authenticator

        from people.demo import demo_logins
        from people.models import UsedTOTPStep

        # Only the published demo accounts: this reads a second factor, which nothing else may.
        if email.lower() not in {login.lower() for login, _description in demo_logins()}:
            raise CommandError(f"{email} is not one of the demo accounts (make run lists them).")
        authenticator = Authenticator.objects.filter(user__email__iexact=email, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(
                f"{email} has not enrolled yet: log in, then use make totp SECRET=<the secret on the page>."
            )
        used = set(UsedTOTPStep.objects.filter(authenticator=authenticator).values_list("step", flat=True))
        return get_adapter().decrypt(authenticator.data["secret"]), used
