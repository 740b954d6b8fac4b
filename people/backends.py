"""How a logged-in person is loaded on each request."""

from allauth.account.auth_backends import AuthenticationBackend

from .queries import person_for_request


class PersonBackend(AuthenticationBackend):
    """allauth's login rules; the person of each request comes with the facts every page reads
    (see `queries.request_facts`) in one query instead of five."""

    def get_user(self, user_id):
        person = person_for_request(user_id)
        return person if person is not None and self.user_can_authenticate(person) else None
