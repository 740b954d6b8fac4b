"""pytest fixtures around the test identity provider; import them into the test modules that use them."""

import tempfile
from pathlib import Path

import pytest

from portal.settings.sso import oidc_apps_from_environ
from tests.processes import free_port

from .server import start


@pytest.fixture(scope="session")
def oidc_provider():
    """A running provider that accepts the in-process test client (http://testserver) as a portal."""
    provider = start(
        port=free_port(), workdir=Path(tempfile.mkdtemp(prefix="oidc-provider-")), portal_urls=["http://testserver"]
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """Configure the portal for the test provider, as the environment would; returns a function to
    change the trust in the provider's MFA or the claim people are matched by."""

    def configure(*, trust_mfa: bool = True, employee_number_claim: str = "employee_number", sso_only: bool = False):
        environ = oidc_provider.portal_environ(trust_mfa=trust_mfa)
        environ["PORTAL_OIDC_DEMO_EMPLOYEE_NUMBER_CLAIM"] = employee_number_claim
        settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": oidc_apps_from_environ(environ)}}
        settings.PORTAL_SSO_ONLY = sso_only
        return settings

    configure()
    return configure
