from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "opencity.banking"
    label = "banking"
