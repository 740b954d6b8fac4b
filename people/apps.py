from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects allauth's signals
