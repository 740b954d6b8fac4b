from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Person


class LoginForm(AllauthLoginForm):
    """Accepts an e-mail address or an employee number in the one login box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label=_("E-mail address or employee number"),
            max_length=254,
            widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        )
        self.order_fields(["login", "password"])

    def user_credentials(self) -> dict:
        credentials = super().user_credentials()
        login = self.cleaned_data["login"]
        if "@" not in login:
            email = Person.objects.filter(employee_number=login).values_list("email", flat=True).first()
            credentials.pop("username", None)
            # An unknown number falls through as an impossible e-mail and fails like a wrong password.
            credentials["email"] = email or f"{login}@invalid.invalid"
        return credentials
