from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from . import attestation_catalogue, personal_panels, signals, views  # noqa: F401 - importing them connects the receivers
        from .models import TrainingModulePage

        # The module page's sub-pages are answered by the views; models never import them.
        TrainingModulePage.page_views = views
