"""Signing in through the company's identity provider: the real test provider (tests/oidc_provider)
in its own process, the portal of `e2e_server`, Chromium in between."""

import pytest

from tests.oidc_provider.people import DEMO_PASSWORD
from tests.processes import free_port, start_gunicorn, wait_until_serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portal_with_sso(e2e_server, oidc_provider):
    """A second portal process on the browser tests' database, configured for the test provider
    through the environment as in production (the shared process runs without SSO)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    oidc_provider.register_portal(url)
    env = {**e2e_server.env, **oidc_provider.portal_environ(trust_mfa=True)}
    log_path = e2e_server.log_path.parent / "sso-portal.log"
    log = log_path.open("w")
    process = start_gunicorn("portal.wsgi", port=port, env=env, log=log)
    wait_until_serving(f"{url}/healthz", process, log_path=log_path, what="the SSO portal")
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_sales_person_signs_in_through_the_identity_provider_and_logs_out_of_both(page, portal_with_sso, oidc_provider):
    page.goto(f"{portal_with_sso}/accounts/login/")
    page.get_by_role("button", name="デモ社内IDでログイン").click()

    # At the provider: its own sign-in page, on its own origin.
    page.wait_for_url(f"{oidc_provider.url}/login/**")
    page.fill("input[name=username]", "sales@example.jp")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back at the portal, on the sales person's home page, with no password asked by the portal.
    page.wait_for_url(f"{portal_with_sso}/")
    assert page.get_by_text("八木").first.is_visible()

    page.goto(f"{portal_with_sso}/accounts/logout/")
    page.locator("form[action='/accounts/logout/'] button[type=submit]").first.click()
    # The provider ends its session and sends the browser back to the portal's sign-in page.
    page.wait_for_url(f"{portal_with_sso}/accounts/login/")
    page.goto(f"{portal_with_sso}/")
    assert "/accounts/login/" in page.url

    # Signed out at the provider too: its sign-in page asks for the password again.
    page.goto(f"{portal_with_sso}/accounts/login/")
    page.get_by_role("button", name="デモ社内IDでログイン").click()
    page.wait_for_url(f"{oidc_provider.url}/login/**")
    assert page.locator("input[name=password]").is_visible()
