from django.apps import AppConfig


class CasebookConfig(AppConfig):
    name = "casebook"

    def ready(self):
        from . import rule_panel  # noqa: F401 - importing it connects the receivers
