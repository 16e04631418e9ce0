from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "opencity.payments"
    label = "payments"
