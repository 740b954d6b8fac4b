"""Corporate single sign-on (OpenID Connect) from the environment; see docs/deployment.md "SSO".

PORTAL_OIDC_PROVIDERS names the providers, comma-separated (e.g. `entra,keycloak`); each name N
then reads PORTAL_OIDC_<N>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and optionally _NAME (the button
says "<name>でログイン"), _EMPLOYEE_NUMBER_CLAIM (the claim holding the employee number; without
it people are matched by e-mail), _TRUST_MFA (1: an `amr`/`acr` showing MFA at the provider
replaces the portal's own TOTP) and _MFA_VALUES (the `amr`/`acr` values that count as MFA).
"""

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

DEFAULT_MFA_VALUES = "mfa"


def oidc_apps_from_environ(environ: Mapping[str, str]) -> list[dict]:
    """allauth `openid_connect` apps, one per provider named in PORTAL_OIDC_PROVIDERS."""
    apps = []
    for provider_id in _split(environ.get("PORTAL_OIDC_PROVIDERS", "")):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", provider_id):
            # The id becomes part of the callback URL registered at the provider.
            raise ValueError(f"PORTAL_OIDC_PROVIDERS: {provider_id!r} must be lower-case letters, digits and '-'")
        prefix = f"PORTAL_OIDC_{provider_id.upper().replace('-', '_')}_"
        missing = [k for k in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if not environ.get(prefix + k)]
        if missing:
            raise ValueError(f"SSO provider {provider_id!r} needs " + ", ".join(prefix + k for k in missing))
        apps.append(
            {
                "provider_id": provider_id,
                "name": environ.get(prefix + "NAME", provider_id),
                "client_id": environ[prefix + "CLIENT_ID"],
                "secret": environ[prefix + "CLIENT_SECRET"],
                "settings": {
                    "server_url": environ[prefix + "ISSUER"],
                    "employee_number_claim": environ.get(prefix + "EMPLOYEE_NUMBER_CLAIM", ""),
                    "trust_mfa": environ.get(prefix + "TRUST_MFA", "0") == "1",
                    "mfa_values": [
                        v.strip()
                        for v in environ.get(prefix + "MFA_VALUES", DEFAULT_MFA_VALUES).split(",")
                        if v.strip()
                    ],
                    # PKCE as well as the client secret: a stolen authorisation code is useless.
                    "oauth_pkce_enabled": True,
                },
            }
        )
    return apps


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def provider_origins(apps: list[dict]) -> list[str]:
    """The providers' origins, which the site's CSP `form-action` must allow: the sign-in button and
    the logout form are forms whose redirect leaves for the provider."""
    origins = []
    for app in apps:
        parts = urlsplit(app["settings"]["server_url"])
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


OIDC_APPS = oidc_apps_from_environ(os.environ)
OIDC_ORIGINS = provider_origins(OIDC_APPS)
