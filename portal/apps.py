from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Conduct-rule portal")

    def ready(self):
        from . import routing  # noqa: F401  (connects the signal that forgets remembered sites)
