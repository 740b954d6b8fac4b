"""How a logged-in person is loaded on each request."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from .queries import request_facts


class PersonBackend(AuthenticationBackend):
    """allauth's login rules; the person of each request comes with the facts every page reads
    (see `queries.request_facts`) in one query instead of four."""

    def get_user(self, user_id):
        person = request_facts(get_user_model()._default_manager.filter(pk=user_id)).first()
        return person if person is not None and self.user_can_authenticate(person) else None
