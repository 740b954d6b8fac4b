"""How a logged-in person is loaded on each request."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class PersonBackend(AuthenticationBackend):
    """allauth's login rules, loading the person together with the unit and employment type that
    most pages read (department sections, dashboards), instead of one query for each later."""

    def get_user(self, user_id):
        person = get_user_model()._default_manager.select_related("unit", "employment_type")
        person = person.filter(pk=user_id).first()
        return person if person is not None and self.user_can_authenticate(person) else None
