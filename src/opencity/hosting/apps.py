from django.apps import AppConfig


class HostingConfig(AppConfig):
    name = "opencity.hosting"
    label = "hosting"
