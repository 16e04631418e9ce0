from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "opencity.contributions"
    label = "contributions"

    def ready(self) -> None:
        """Plug our settlement into the payment pipeline (payments never imports us)."""
        from opencity.contributions import settlement, stripe_webhooks

        settlement.install()
        stripe_webhooks.register()
