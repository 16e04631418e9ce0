from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "opencity.contributions"
    label = "contributions"
