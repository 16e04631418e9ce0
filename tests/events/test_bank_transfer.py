"""Tickets paid by bank transfer: the places are held for the host's bank-transfer expiry, the order page shows
the transfer instructions and the EPC QR code, and the credit matched on the bank statement confirms the order
through the payment pipeline's on-paid handler (once, even if the statement is imported twice)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opencity.banking import services as banking
from opencity.banking.models import PaymentReference
from opencity.community.models import Interaction
from opencity.events.models import Order
from opencity.events.selectors import event_availability
from opencity.ledger.models import TransferKind
from tests.banking.conftest import IBAN
from tests.banking.files import Line, camt053
from tests.conftest import make_user
from tests.events.conftest import add_type, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bank(settings, host):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""
    host.bank_transfer_expiry_days = 12
    host.save(update_fields=["bank_transfer_expiry_days"])
    banking.bank_account_main(host=host)


def buy(client, event, t, n=2, **extra):
    form = {
        "form_token": "bank-1",
        f"qty_{t.public_id}": str(n),
        **{f"{t.public_id}_{i}_name": f"Guest {i}" for i in range(n)},
        "name": "Guest 0",
        "email": "guest@example.org",
        "payment_method": "bank_transfer",
        **extra,
    }
    return client.post(f"/{event.collective.slug}/events/{event.slug}/", form)


def test_bank_transfer_order_holds_for_the_hosts_expiry_and_shows_instructions(
    client, collective, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(collective, days=20)
    t = add_type(event, name="Dinner", price=1500, quantity=5)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        r = buy(client, event, t)
    order = Order.objects.get()
    assert r.status_code == 302 and r.url.endswith(order.public_id)  # back to the order page, not a gift's
    assert order.status == Order.Status.PENDING and order.total == 3000
    held = order.hold_expires_at - before
    assert dt.timedelta(days=12) <= held < dt.timedelta(days=12, minutes=1)
    assert event_availability(event)[0].left == 3

    page = client.get(r.url).content.decode()
    ref = PaymentReference.objects.get(contribution=order.contribution)
    assert "Pay by bank transfer" in page and IBAN[:4] in page
    assert ref.communication[:3] in page.replace("+", "").replace("/", "")
    assert 'src="data:image/png;base64,' in page  # the EPC QR code
    assert "30,00" in page or "30.00" in page
    assert any(m.to == ["guest@example.org"] for m in mailoutbox)  # the same details by email


def test_matched_credit_confirms_the_order_once(client, collective, check_ledger, django_capture_on_commit_callbacks):
    user = make_user("payer@example.org", name="Payer")
    client.force_login(user)
    event = make_event(collective, days=20)
    t = add_type(event, name="Dinner", price=1500, quantity=5)
    buy(client, event, t, n=1)
    order = Order.objects.get()
    ref = PaymentReference.objects.get(contribution=order.contribution)
    today = dt.date.today()
    data = camt053(iban=IBAN, lines=[Line(1500, ref.communication, date=today)], start=today, end=today)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = banking.statement_import(host=collective.host, data=data, system=True)
    assert result.matched == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED and order.confirmed_at is not None
    assert [k for k in order.contribution.journal.transfers.values_list("kind", flat=True)].count(
        TransferKind.TICKET
    ) == 1
    assert any("tickets" in m.subject.lower() for m in mail.outbox)
    # The statement imported again: nothing moves, the order stays confirmed, one registration.
    again = banking.statement_import(host=collective.host, data=data, system=True)
    assert again.known_lines == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert Interaction.objects.filter(kind="registration", source_ref=order.public_id).count() == 1
    page = client.get(f"/{collective.slug}/events/{event.slug}/orders/{order.public_id}").content.decode()
    assert "Pay by bank transfer" not in page and order.tickets.get().code in page
    check_ledger()


def test_card_hold_stays_fifteen_minutes(collective, settings):
    from opencity.events import orders
    from tests.events.conftest import request_for

    event = make_event(collective)
    t = add_type(event, price=1000, quantity=5)
    before = timezone.now()
    order = orders.order_create(event=event, data=request_for([(t, "A")], method="demo"))
    assert order.hold_expires_at - before < dt.timedelta(minutes=16)


def test_unpaid_transfer_expires_with_the_host_limit_and_frees_the_places(client, collective):
    from opencity.banking.standing_orders import pending_transfers_expire

    event = make_event(collective, days=40)
    t = add_type(event, name="Dinner", price=1500, quantity=2)
    buy(client, event, t)
    order = Order.objects.get()
    assert event_availability(event)[0].sold_out
    today = timezone.localdate()
    assert pending_transfers_expire(today=today + dt.timedelta(days=11)) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert pending_transfers_expire(today=today + dt.timedelta(days=12)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and event_availability(event)[0].left == 2
