"""The SSO providers come from the environment (portal/settings/sso.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.settings.sso import oidc_apps_from_environ, provider_origins
from tests.csp_policy import SITE_CSP, directives

ROOT = Path(__file__).resolve().parents[2]


def test_several_providers_each_with_its_own_variables():
    apps = oidc_apps_from_environ(
        {
            "PORTAL_OIDC_PROVIDERS": "entra, keycloak",
            "PORTAL_OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/t/v2.0",
            "PORTAL_OIDC_ENTRA_CLIENT_ID": "portal",
            "PORTAL_OIDC_ENTRA_CLIENT_SECRET": "s1",
            "PORTAL_OIDC_ENTRA_NAME": "社内ID",
            "PORTAL_OIDC_ENTRA_EMPLOYEE_NUMBER_CLAIM": "employeeid",
            "PORTAL_OIDC_ENTRA_TRUST_MFA": "1",
            "PORTAL_OIDC_KEYCLOAK_ISSUER": "https://kc.example.jp/realms/corp",
            "PORTAL_OIDC_KEYCLOAK_CLIENT_ID": "portal",
            "PORTAL_OIDC_KEYCLOAK_CLIENT_SECRET": "s2",
            "PORTAL_OIDC_KEYCLOAK_MFA_VALUES": "mfa, gold",
        }
    )
    entra, keycloak = apps
    assert (entra["provider_id"], entra["name"], entra["secret"]) == ("entra", "社内ID", "s1")
    assert entra["settings"]["server_url"] == "https://login.microsoftonline.com/t/v2.0"
    assert entra["settings"]["employee_number_claim"] == "employeeid"
    assert entra["settings"]["trust_mfa"] is True and entra["settings"]["mfa_values"] == ["mfa"]
    # Unset: named by its id, matched by e-mail, the provider's MFA not trusted.
    assert keycloak["name"] == "keycloak"
    assert keycloak["settings"]["employee_number_claim"] == ""
    assert keycloak["settings"]["trust_mfa"] is False
    assert keycloak["settings"]["mfa_values"] == ["mfa", "gold"]


def test_no_providers_configured_means_no_sso():
    assert oidc_apps_from_environ({}) == []


def test_a_provider_without_its_issuer_or_client_is_a_configuration_error():
    with pytest.raises(ValueError, match="PORTAL_OIDC_CORP_ISSUER, PORTAL_OIDC_CORP_CLIENT_SECRET"):
        oidc_apps_from_environ({"PORTAL_OIDC_PROVIDERS": "corp", "PORTAL_OIDC_CORP_CLIENT_ID": "x"})


def test_provider_ids_must_be_usable_in_the_callback_url():
    with pytest.raises(ValueError, match="lower-case"):
        oidc_apps_from_environ({"PORTAL_OIDC_PROVIDERS": "Corp/1"})


CSP_PROBE = """
import django
django.setup()
from django.test import Client
print(Client().get("/healthz/live")["Content-Security-Policy"])
"""


def test_the_site_csp_lets_the_sign_in_and_logout_forms_go_on_to_the_providers_only():
    entra = {
        "PORTAL_OIDC_PROVIDERS": "entra",
        "PORTAL_OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
        "PORTAL_OIDC_ENTRA_CLIENT_ID": "portal",
        "PORTAL_OIDC_ENTRA_CLIENT_SECRET": "s1",
    }
    assert provider_origins(oidc_apps_from_environ(entra)) == ["https://login.microsoftonline.com"]
    # The settings read the providers once, at start: a portal process started with them.
    env = {**os.environ, **entra, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", CSP_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    csp = directives(done.stdout.strip().splitlines()[-1])

    assert csp["form-action"] == ["'self'", "https://login.microsoftonline.com"]
    assert {k: v for k, v in csp.items() if k != "form-action"} == {
        k: v for k, v in directives(SITE_CSP).items() if k != "form-action"
    }
