from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR import or an administrator, never from sign-up."""

    def is_open_for_signup(self, request):
        return False
