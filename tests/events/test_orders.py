"""Buying: free tickets confirm at once, paid ones hold places and confirm through the payment pipeline;
quotas are enforced, bad input changes nothing, lapsed holds free their places and nobody else's."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opencity.contributions.models import Contribution
from opencity.core.errors import DomainError, PermissionDenied
from opencity.events import orders
from opencity.events.errors import InvalidEvent, InvalidOrder, SoldOut
from opencity.events.models import CODE_ALPHABET, Order, Ticket
from opencity.events.selectors import event_availability
from opencity.ledger.models import Transfer
from tests.conftest import enable_2fa, make_user
from tests.events.conftest import add_type, make_event, request_for
from tests.expenses.conftest import fund

pytestmark = pytest.mark.django_db


def test_free_registration_confirms_at_once_and_emails_a_qr_and_ics(
    event, free_type, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = orders.order_create(event=event, data=request_for([(free_type, "Amina"), (free_type, "Jef")]))
    assert order.status == Order.Status.CONFIRMED and order.contribution is None
    codes = list(order.tickets.values_list("code", flat=True))
    assert len(codes) == 2 and all(len(c) == 10 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL5S2Z8B") & set("".join(codes))
    (message,) = mail.outbox
    assert message.to == ["buyer@example.org"]
    names = [a[0] for a in message.attachments]
    assert f"ticket-{codes[0]}.png" in names and any(n.endswith(".ics") for n in names)
    assert "Ring twice" in message.body  # private instructions only in the attendee's email
    assert event_availability(event)[0].left == 48


def test_paid_order_holds_then_confirms_through_the_pipeline_as_ticket_transfers(
    event, settings, check_ledger, django_capture_on_commit_callbacks
):
    settings.DEMO_MODE = True
    paid = add_type(event, name="Supporter", price=1500, quantity=10)
    order = orders.order_create(event=event, data=request_for([(paid, "Amina"), (paid, "Jef")], method="demo"))
    assert order.status == Order.Status.PENDING and order.total == 3000
    assert order.hold_expires_at - timezone.now() > dt.timedelta(minutes=14)
    assert event_availability(event)[0].left == 8  # held while the payment is pending
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        orders.order_start_payment(order=order)  # the demo card settles at once
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    c = order.contribution
    assert c.purpose == Contribution.Purpose.TICKET and c.status == Contribution.Status.PAID
    kinds = sorted(Transfer.objects.filter(journal=c.journal).values_list("kind", flat=True))
    assert kinds == ["host_fee", "processor_fee", "ticket"]
    assert len(mail.outbox) == 1 and not any(a[0].endswith(".pdf") for a in mail.outbox[0].attachments)
    check_ledger()


def test_same_form_twice_makes_one_order(event, free_type):
    data = request_for([(free_type, "Amina")], idempotency_token="tok-1")
    first = orders.order_create(event=event, data=data)
    again = orders.order_create(event=event, data=data)
    assert first.pk == again.pk and Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("attendees", "code"),
    [
        ([], "quantity_zero"),
        ([("t", "A")] * 3, "quantity_above_maximum"),
        ([("t", "")], "attendee_name_required"),
        ([("forged", "A")], "unknown_ticket_type"),
    ],
)
def test_bad_orders_change_nothing(event, attendees, code):
    t = add_type(event, max_per_order=2)
    data = request_for([])
    from opencity.events.orders import AttendeeIn

    data.attendees = [AttendeeIn(ticket_type=t.public_id if k == "t" else "tt_forged", name=n) for k, n in attendees]
    with pytest.raises(InvalidOrder) as err:
        orders.order_create(event=event, data=data)
    assert err.value.code == code
    assert Order.objects.count() == 0 and Ticket.objects.count() == 0


def test_sales_window_in_the_past_is_refused(event):
    past = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(InvalidEvent) as err:
        add_type(event, sales_start=past - dt.timedelta(days=5), sales_end=past)
    assert err.value.code == "sales_window_past"
    assert event.ticket_types.count() == 0


def test_closed_sales_refuse_orders(event):
    t = add_type(event, sales_start=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(InvalidOrder) as err:
        orders.order_create(event=event, data=request_for([(t, "A")]))
    assert err.value.code == "not_on_sale" and Order.objects.count() == 0


def test_sold_out(event):
    t = add_type(event, quantity=2)
    orders.order_create(event=event, data=request_for([(t, "A"), (t, "B")]))
    with pytest.raises(SoldOut):
        orders.order_create(event=event, data=request_for([(t, "C")], email="c@example.org"))
    assert Ticket.objects.count() == 2 and event_availability(event)[0].sold_out


def test_a_lapsed_hold_frees_its_places_and_nobody_elses(event, settings):
    settings.DEMO_MODE = True
    t = add_type(event, price=1000, quantity=3)
    now = timezone.now()
    lapsing = orders.order_create(event=event, data=request_for([(t, "A")], method="demo"), now=now)
    kept = orders.order_create(
        event=event,
        data=request_for([(t, "B")], method="demo", email="b@example.org"),
        now=now + dt.timedelta(minutes=10),
    )
    free = orders.order_create(event=event, data=request_for([(t, "C")], method="demo", email="c@example.org"), now=now)
    later = now + dt.timedelta(minutes=16)
    with pytest.raises(SoldOut):  # all three held until the first holds lapse
        orders.order_create(
            event=event,
            data=request_for([(t, "W")], method="demo", email="w@example.org"),
            now=now + dt.timedelta(minutes=14),
        )
    assert orders.holds_release(now=later) == 2
    assert orders.holds_release(now=later) == 0
    # The two lapsed places are free again; the third (held until now+25 min) still belongs to B.
    orders.order_create(
        event=event, data=request_for([(t, "X"), (t, "Y")], method="demo", email="x@example.org"), now=later
    )
    with pytest.raises(SoldOut):
        orders.order_create(event=event, data=request_for([(t, "Z")], method="demo", email="z@example.org"), now=later)
    statuses = {o.pk: o.status for o in Order.objects.all()}
    assert statuses[lapsing.pk] == statuses[free.pk] == Order.Status.EXPIRED
    assert statuses[kept.pk] == Order.Status.PENDING


def test_payment_after_a_lapsed_hold_keeps_free_places_or_flags_a_refund(event, settings):
    settings.DEMO_MODE = True
    t = add_type(event, price=1000, quantity=1)
    now = timezone.now() - dt.timedelta(minutes=20)
    late = orders.order_create(event=event, data=request_for([(t, "A")], method="demo"), now=now)
    orders.holds_release()
    other = orders.order_create(event=event, data=request_for([(t, "B")], method="demo", email="b@example.org"))
    orders.order_start_payment(order=late)
    late.refresh_from_db()
    assert late.status == Order.Status.EXPIRED and late.needs_refund
    orders.order_start_payment(order=other)
    other.refresh_from_db()
    assert other.status == Order.Status.CONFIRMED
    assert Ticket.objects.filter(order__status=Order.Status.CONFIRMED).count() == 1


def test_refund_posts_a_reversal_and_frees_places(event, settings, check_ledger):
    settings.DEMO_MODE = True
    t = add_type(event, price=2000, quantity=1)
    order = orders.order_create(event=event, data=request_for([(t, "A")], method="demo"))
    orders.order_start_payment(order=order)
    enable_2fa(event.collective.host.admins.first())
    fund(event.collective, 1000)  # the card fee is lost on a refund: the collective bears it
    admin = event.collective.admins.first()
    with pytest.raises(PermissionDenied):
        orders.order_refund(order=order, by=admin)  # money by hand needs a second factor
    orders.order_refund(order=order, by=enable_2fa(admin))
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    from opencity.ledger.models import Journal

    assert Journal.objects.filter(reverses=order.contribution.journal).count() == 1
    assert event_availability(event)[0].left == 1
    check_ledger()


def test_event_validation(collective):
    with pytest.raises(DomainError):
        make_event(collective, title="")


def _past_event_with_sales(collective, settings):
    """A past event with two paid tickets (one came), a free one, and a linked, paid venue expense."""
    from opencity.expenses.models import ExpenseStatus
    from tests.expenses.conftest import approved

    settings.DEMO_MODE = True
    event = make_event(collective, days=2)
    paid = add_type(event, price=1000, quantity=10)
    order = orders.order_create(event=event, data=request_for([(paid, "A"), (paid, "B")], method="demo"))
    orders.order_start_payment(order=order)
    Ticket.objects.filter(order=order, attendee_name="A").update(checked_in_at=timezone.now())
    expense = approved(collective, make_user(), 1500, category="venue", event_ref=event.public_id)
    assert expense.event == event and expense.status == ExpenseStatus.APPROVED
    start = timezone.now() - dt.timedelta(days=1)
    type(event).objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


def test_event_result(collective, settings):
    from opencity.events.selectors import event_result

    event = _past_event_with_sales(collective, settings)
    r = event_result(event)
    assert r.income == 2000
    assert r.fees == event.orders.get().contribution.processor_fee + event.orders.get().contribution.host_fee
    assert r.costs == [("Venue", 1500)] and r.total_costs == 1500
    assert r.tickets == 2 and r.attendance == 1
    assert r.result == 2000 - r.fees - 1500
    assert r.cost_per_attendee == 1500 + r.fees
