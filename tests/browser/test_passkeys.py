"""Passkeys (WebAuthn through allauth's MFA) with Chromium's virtual authenticator."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def localhost_page(browser, e2e_server):
    # WebAuthn takes a domain as relying-party id, never an IP address, and a secure context:
    # http://localhost is both.
    context = browser.new_context(
        base_url=e2e_server.url.replace("127.0.0.1", "localhost"),
        locale="ja-JP",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.authenticator = (cdp, authenticator["authenticatorId"])
    yield page
    context.close()


def test_register_a_passkey_and_sign_in_with_it(localhost_page, login, e2e_server):
    page = localhost_page
    login(page, "cc@example.jp")
    try:
        _register_and_sign_in(page)
    finally:
        # cc signs in with a password in the other browser tests, which share this server.
        e2e_server.forget_second_factors("cc@example.jp")


def _register_and_sign_in(page) -> None:
    page.goto("/accounts/2fa/webauthn/add/")
    page.fill("input[name=name]", "ノートPC")
    page.check("input[name=passwordless]")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    cdp, authenticator_id = page.authenticator
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credential["isResidentCredential"]

    page.goto("/accounts/logout/")
    page.locator("form[action='/accounts/logout/'] button[type=submit]").first.click()
    page.wait_for_url("**/accounts/login/**")

    # No e-mail address, no password: the passkey alone signs the person in.
    page.locator("#passkey_login").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.get_by_text("千田").first.is_visible()
    # The virtual authenticator signed the portal's challenge with the registered credential.
    [used] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert used["credentialId"] == credential["credentialId"]
    assert used["signCount"] > credential["signCount"]
