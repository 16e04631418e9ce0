from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "opencity.transparency"
    label = "transparency"
