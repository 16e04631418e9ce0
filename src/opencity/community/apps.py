from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "opencity.community"
    label = "community"
