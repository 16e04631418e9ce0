from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "opencity.events"
    label = "events"

    def ready(self) -> None:
        """Own the "ticket" purpose of the payment pipeline (payments and contributions never import us)."""
        from opencity.events import orders

        orders.register_purpose()
