from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opencity.core"
    label = "core"
