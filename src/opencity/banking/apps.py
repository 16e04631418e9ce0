from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "opencity.banking"
    label = "banking"

    def ready(self):
        from opencity.banking.provider import register_provider

        register_provider()
