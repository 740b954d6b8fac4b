"""`python -m tests.oidc_provider setup --portal-url=URL …` fills the provider's database (run with
its settings); `python -m tests.oidc_provider serve --port=8001 --portal-url=URL` starts it for the
demo and prints the portal environment that points at it."""

import argparse
import os
import shlex
import tempfile
from pathlib import Path


def setup(portal_urls: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    from .claims import MFA_GROUP
    from .people import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_PEOPLE, PORTAL_PROVIDER_ID

    call_command("migrate", "--no-input", verbosity=0)
    if not RSAKey.objects.exists():
        call_command("creatersakey", verbosity=0)
    mfa, _ = Group.objects.get_or_create(name=MFA_GROUP)
    for number, email, family, given, with_mfa in DEMO_PEOPLE:
        user, created = User.objects.get_or_create(
            username=number, defaults={"email": email, "first_name": given, "last_name": family}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if with_mfa:
            user.groups.add(mfa)
    client, _ = Client.objects.get_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": "Conduct portal",
            "client_type": "confidential",
            "client_secret": CLIENT_SECRET,
            "require_consent": False,
            "reuse_consent": True,
            "scope": ["openid", "profile", "email"],
        },
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    redirects = set(client.redirect_uris)
    logouts = list(client.post_logout_redirect_uris)
    for url in portal_urls:
        redirects.add(f"{url}/accounts/oidc/{PORTAL_PROVIDER_ID}/login/callback/")
        if f"{url}/accounts/login/" not in logouts:
            logouts.append(f"{url}/accounts/login/")
    client.redirect_uris = sorted(redirects)
    client.post_logout_redirect_uris = logouts
    client.save()


def serve(port: int, portal_urls: list[str]) -> None:
    from .server import start

    workdir = Path(os.environ.get("OIDC_OP_DIR") or tempfile.mkdtemp(prefix="oidc-provider-"))
    provider = start(port=port, workdir=workdir, portal_urls=portal_urls)
    print(f"Test identity provider on {provider.url} (log: {provider.log_path})", flush=True)
    try:
        provider.process.wait()
    except KeyboardInterrupt:
        provider.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.oidc_provider")
    parser.add_argument("command", choices=["setup", "serve", "env"])
    parser.add_argument("--portal-url", action="append", default=[])
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.portal_url)
    elif args.command == "serve":
        serve(args.port, args.portal_url)
    else:
        # The portal's environment for a provider on --port, for `make run` to export.
        from .server import environ_for

        for name, value in environ_for(f"http://127.0.0.1:{args.port}").items():
            print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
