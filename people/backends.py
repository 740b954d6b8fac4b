"""How a logged-in person is loaded on each request."""

import functools

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from .queries import request_facts


class PersonBackend(AuthenticationBackend):
    """allauth's login rules; the person of each request comes with the facts every page reads
    (see `queries.request_facts`) in one query instead of four."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            person = _people_with_request_facts().get(pk=user_id)
        except model.DoesNotExist:
            return None
        return person if self.user_can_authenticate(person) else None


@functools.cache
def _people_with_request_facts():
    # Built once per process: putting the subqueries together costs more than the query itself.
    # (Querysets are cloned by .get(), never changed, so threads can share it.)
    return request_facts(get_user_model()._default_manager.all())
