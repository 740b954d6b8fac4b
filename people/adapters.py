from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR import or an administrator, never from sign-up."""

    def is_open_for_signup(self, request):
        return False


class MFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url: str) -> str:
        # Drawn inline in the page (templates/mfa/totp/activate_form.html) rather than as a data:
        # image, so the site's CSP needs no data: images; an inline <svg> takes no XML declaration.
        svg = super().build_totp_svg(url)
        return svg[svg.index("<svg") :]
