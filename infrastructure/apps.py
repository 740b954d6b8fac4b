from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    """What every app runs on: the task workers, the scheduler, e-mail sent once, private storage, the cache."""

    name = "infrastructure"
    verbose_name = _("Infrastructure")
