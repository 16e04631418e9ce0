"""Registrations grow the host's community database (issue 13 points 1-2), proven emails only.

A confirmed order records one "registration" interaction per attendee person, found by email whatever its
case; a signed-in buyer's own address is proven at once, any other address only when its mailbox follows the
"this was me" link of its ticket email (issue 8: a typed email never joins a known person's history). A
payment told twice records once. The order form carries the unticked "keep me informed" box (double opt-in).
"""

import re

import pytest
from django.core import mail

from opencity.community.models import Consent, Interaction, Member, Person
from opencity.events import orders
from opencity.events.models import Order
from opencity.events.orders import AttendeeIn, OrderRequest
from opencity.payments import pipeline
from tests.conftest import make_user
from tests.events.conftest import add_type, make_event, request_for

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/events/registrations/(\S+)/(\S+)")


def registrations(**filters):
    return Interaction.objects.filter(kind="registration", **filters)


def test_signed_in_buyer_is_recorded_at_once(event, free_type, client, django_capture_on_commit_callbacks):
    user = make_user("Amina@Example.org", name="Amina")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/{event.collective.slug}/events/{event.slug}/",
            {"form_token": "t1", f"qty_{free_type.public_id}": "1", f"{free_type.public_id}_0_name": "Amina"},
        )
    assert r.status_code == 302
    order = Order.objects.get()
    (i,) = registrations()
    assert i.person == user.person and i.source_ref == order.public_id and i.event_ref == event.public_id
    assert i.collective == event.collective and i.host == event.collective.host
    assert Member.objects.filter(person=user.person, host=event.collective.host).exists()
    (message,) = mail.outbox
    assert "/events/registrations/" not in message.body  # nothing to prove


def test_guest_with_a_known_persons_email_adds_nothing_until_the_link(
    event, free_type, client, django_capture_on_commit_callbacks
):
    samira = make_user("samira@example.org", name="Samira Haddad")
    data = OrderRequest(
        attendees=[AttendeeIn(ticket_type=free_type.public_id, name="Attacker")],
        email="SAMIRA@example.org",
        name="Attacker",
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = orders.order_create(event=event, data=data)
    assert order.person == samira.person  # one person per email, whatever its case
    assert Person.objects.filter(email__iexact="samira@example.org").count() == 1
    assert not registrations().exists()
    samira.person.refresh_from_db()
    assert samira.person.name == "Samira Haddad"

    (message,) = mail.outbox
    public_id, token = LINK.search(message.body).groups()
    assert public_id == order.public_id
    url = f"/events/registrations/{public_id}/{token}"
    page = client.get(url)
    assert page.status_code == 200 and "Yes, this was me" in page.content.decode()
    assert not registrations().exists()  # a mail scanner's GET confirms nothing
    for _ in range(2):
        assert client.post(url).status_code == 302
    (i,) = registrations()
    assert i.person == samira.person and i.source_ref == order.public_id


def test_forged_or_borrowed_links_are_refused(event, free_type, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = orders.order_create(event=event, data=request_for([(free_type, "A")], email="a@example.org"))
        b = orders.order_create(event=event, data=request_for([(free_type, "B")], email="b@example.org"))
    token_a = LINK.search(mail.outbox[0].body).group(2)
    assert client.post(f"/events/registrations/{b.public_id}/{token_a}").status_code == 404  # another order
    assert client.post(f"/events/registrations/{a.public_id}/{token_a[:-2]}xx").status_code == 404
    assert client.get(f"/events/registrations/{a.public_id}/nonsense").status_code == 404
    assert not registrations().exists()


def test_each_attendee_gets_their_own_tickets_and_their_own_link(
    event, free_type, client, django_capture_on_commit_callbacks
):
    buyer = make_user("jef@example.org", name="Jef")
    data = OrderRequest(
        attendees=[
            AttendeeIn(ticket_type=free_type.public_id, name="Jef"),
            AttendeeIn(ticket_type=free_type.public_id, name="Lotte", email="Lotte@Example.org"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = orders.order_create(event=event, data=data, user=buyer)
    # Jef's own address is proven (his account); Lotte's was typed by Jef.
    assert [i.person for i in registrations()] == [buyer.person]
    lotte = Person.objects.get(email__iexact="lotte@example.org")
    assert lotte.user is None and lotte.name == "Lotte"
    to_jef, to_lotte = sorted(mail.outbox, key=lambda m: m.to[0])
    assert to_jef.to == ["jef@example.org"] and len([a for a in to_jef.attachments if a[0].endswith(".png")]) == 2
    assert to_lotte.to == ["lotte@example.org"] and len([a for a in to_lotte.attachments if a[0].endswith(".png")]) == 1
    assert "/events/registrations/" not in to_jef.body
    public_id, token = LINK.search(to_lotte.body).groups()
    assert client.post(f"/events/registrations/{public_id}/{token}").status_code == 302
    assert {i.person for i in registrations(source_ref=order.public_id)} == {buyer.person, lotte}


def test_unconfirmed_account_email_is_not_proof(event, free_type):
    user = make_user("new@example.org", email_confirmed=False)
    orders.order_create(event=event, data=request_for([(free_type, "New")]), user=user)
    assert not registrations().exists()


def test_paid_order_records_once_when_the_payment_is_told_twice(collective, settings):
    from django.db import transaction

    settings.DEMO_MODE = True
    user = make_user("paula@example.org", name="Paula")
    event = make_event(collective)
    t = add_type(event, name="Dinner", price=2000, quantity=5)
    order = orders.order_create(event=event, data=request_for([(t, "Paula")], method="demo"), user=user)
    assert order.status == Order.Status.PENDING and not registrations().exists()
    for _ in range(2):
        with transaction.atomic():
            pipeline.notify("ticket", pipeline.PAID, order.contribution)
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert registrations(person=user.person, source_ref=order.public_id).count() == 1


def test_card_webhook_delivered_twice_records_one_interaction(
    client, collective, fake_stripe, deliver, django_capture_on_commit_callbacks
):
    user = make_user("karim@example.org", name="Karim")
    event = make_event(collective)
    t = add_type(event, name="Dinner", price=2500, quantity=10)
    order = orders.order_create(event=event, data=request_for([(t, "Karim")], method="stripe"), user=user)
    orders.order_start_payment(order=order)
    c = order.contribution
    c.refresh_from_db()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=98)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):  # two distinct deliveries (a processor retry under a new event id)
            assert deliver("checkout.session.completed", session, event_id=f"evt_twice_{n}").status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert registrations(source_ref=order.public_id).count() == 1


def test_keep_informed_box_is_unticked_and_asks_for_confirmation(
    event, free_type, client, django_capture_on_commit_callbacks
):
    url = f"/{event.collective.slug}/events/{event.slug}/"
    page = client.get(url).content.decode()
    box = re.search(r'<input type="checkbox" name="keep_informed"[^>]*>', page).group(0)
    assert "checked" not in box and f"by {event.collective.host.name}" in page
    form = {f"qty_{free_type.public_id}": "1", f"{free_type.public_id}_0_name": "Noor", "email": "noor@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**form, "form_token": "a"})
    assert not Consent.objects.exists()  # unticked: no consent
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**form, "form_token": "b", "keep_informed": "on"})
    (consent,) = Consent.objects.all()
    assert consent.person.email == "noor@example.org" and consent.host == event.collective.host
    assert event.collective.host.name in consent.wording and consent.confirmed_at is None  # double opt-in
    assert any(m.to == ["noor@example.org"] and "confirm" in m.body.lower() for m in mail.outbox)
