"""Background work for events: ticket emails, waiting-list offers, lapsed holds. `opencity worker` runs them."""

from __future__ import annotations

from django_tasks import task


@task()
def send_tickets(*, order_id: int) -> int:
    from opencity.events import emails
    from opencity.events.models import Order

    order = Order.objects.select_related("event__collective", "person__user").get(pk=order_id)
    return emails.send_tickets(order)


@task()
def send_offer(*, entry_id: int) -> int:
    from opencity.events import emails
    from opencity.events.models import WaitingListEntry

    entry = WaitingListEntry.objects.select_related("ticket_type__event__collective", "person").get(pk=entry_id)
    return emails.send_offer(entry)


@task()
def holds_release() -> int:
    """Every few minutes: expire pending orders whose hold lapsed and offer their places to the waiting list."""
    from opencity.events.orders import holds_release as run

    return run()
