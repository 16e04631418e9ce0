from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "opencity.ledger"
    label = "ledger"
