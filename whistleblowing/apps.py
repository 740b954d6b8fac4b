from django.apps import AppConfig


class WhistleblowingConfig(AppConfig):
    name = "whistleblowing"
