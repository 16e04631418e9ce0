"""Tickets paid by card go through the contribution pipeline end to end: Stripe Checkout (faked at its HTTP
boundary with the real library), the signed webhook settles the payment as TICKET transfers, the events app
is told through the registry; an expired session frees the places; a refund at Stripe voids the order."""

import pytest

from opencity.events import orders
from opencity.events.models import Order
from opencity.events.selectors import event_availability
from opencity.ledger.models import TransferKind
from tests.events.conftest import add_type, make_event, request_for

pytestmark = pytest.mark.django_db


def test_card_ticket_paid_by_webhook(
    client, collective, fake_stripe, deliver, check_ledger, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(collective, title="Fundraising dinner")
    t = add_type(event, name="Dinner", price=2500, quantity=10)
    form = {
        "form_token": "card-1",
        f"qty_{t.public_id}": "2",
        f"{t.public_id}_0_name": "Amina",
        f"{t.public_id}_1_name": "Jef",
        "name": "Amina",
        "email": "amina@example.org",
        "payment_method": "stripe",
    }
    r = client.post(f"/{collective.slug}/events/{event.slug}/", form)
    order = Order.objects.get()
    c = order.contribution
    assert r.status_code == 302 and r.url.startswith("https://checkout.stripe.test/")
    create = [x for x in fake_stripe.requests if x[1] == "/v1/checkout/sessions"][-1][2]
    assert create["line_items"]["0"]["price_data"]["unit_amount"] == "5000"
    assert "Fundraising dinner" in create["line_items"]["0"]["price_data"]["product_data"]["name"]
    assert order.public_id in create["success_url"]  # back to the order page, not the gift's thank-you page
    assert event_availability(event)[0].left == 8
    c.refresh_from_db()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=98)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert deliver("checkout.session.completed", session).status_code == 200
    order.refresh_from_db()
    c.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert {t.kind: t.amount for t in c.journal.transfers.all()} == {
        TransferKind.TICKET: 5000,
        TransferKind.PROCESSOR_FEE: 98,
        TransferKind.HOST_FEE: 400,
    }
    tickets_mail = [m for m in mailoutbox if m.to == ["amina@example.org"]]
    assert len(tickets_mail) == 1 and "tickets" in tickets_mail[0].subject.lower()  # no gift receipt
    check_ledger()


def test_expired_card_session_frees_the_places(client, collective, fake_stripe, deliver):
    event = make_event(collective)
    t = add_type(event, price=1000, quantity=2)
    order = orders.order_create(event=event, data=request_for([(t, "A"), (t, "B")], method="stripe"))
    orders.order_start_payment(order=order)
    assert event_availability(event)[0].sold_out
    order.contribution.refresh_from_db()
    session = fake_stripe.expire(order.contribution.external_checkout_id)
    assert deliver("checkout.session.expired", session).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and event_availability(event)[0].left == 2
