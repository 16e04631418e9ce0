import datetime as dt

import pytest
from django.utils import timezone

from opencity.events import services
from opencity.events.orders import AttendeeIn, OrderRequest
from tests.payments.conftest import _fake_stripe_server, deliver, fake_stripe  # noqa: F401 - card tickets


def make_event(collective, *, days: int = 10, title: str = "Repair café", **kwargs):
    start = timezone.now() + dt.timedelta(days=days)
    return services.event_create(
        collective=collective,
        by=collective.admins.first(),
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue_name="Maison de quartier",
        venue_address="Rue Haute 1, 1000 Bruxelles",
        languages=["fr", "nl"],
        private_instructions="Ring twice at the side door.",
        **kwargs,
    )


def add_type(event, name="Standard", price=0, quantity=50, **kwargs):
    return services.ticket_type_create(
        event=event, by=event.collective.admins.first(), name=name, price=price, quantity=quantity, **kwargs
    )


def request_for(types_and_names, *, email="buyer@example.org", method="", **kwargs) -> OrderRequest:
    return OrderRequest(
        attendees=[AttendeeIn(ticket_type=t.public_id, name=n) for t, n in types_and_names],
        email=email,
        name="Buyer",
        payment_method=method,
        **kwargs,
    )


@pytest.fixture
def event(collective):
    return make_event(collective)


@pytest.fixture
def free_type(event):
    return add_type(event)
