"""What the test provider says about its people, shaped like a corporate directory's tokens."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# People who sign in with a second factor at the provider; their ID token says so in `amr`.
MFA_GROUP = "mfa"


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with the e-mail address (as people do at a company's provider) or the username,
    which is the employee number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = get_user_model().objects.filter(email__iexact=username).first()
            username = user.username if user else username
        return super().authenticate(request, username=username, password=password, **kwargs)


def userinfo(claims, user):
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.last_name} {user.first_name}"
    claims["preferred_username"] = user.username
    return claims


def id_token_hook(id_token, user, token, request, **kwargs):
    # Directories release the employee number as a custom claim (Entra: employeeid, Keycloak: a
    # user-attribute mapper); the username here is the employee number.
    id_token["employee_number"] = user.username
    if user.groups.filter(name=MFA_GROUP).exists():
        id_token["amr"] = ["pwd", "otp", "mfa"]
        id_token["acr"] = "mfa"
    else:
        id_token["amr"] = ["pwd"]
    return id_token
