from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencity.accounts"
    label = "accounts"

    def ready(self) -> None:
        from opencity.accounts import otp  # noqa: F401 - connects the login receiver that records the second factor
