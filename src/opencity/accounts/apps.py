from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencity.accounts"
    label = "accounts"
