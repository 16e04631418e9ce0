"""A freed place goes to the first on the waiting list with a time-limited offer that holds it for them."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opencity.events import orders
from opencity.events.errors import InvalidOrder, SoldOut
from opencity.events.models import Order
from opencity.events.models import WaitingListEntry as WL
from opencity.events.waiting import waiting_list_join, waiting_list_offer
from tests.conftest import enable_2fa
from tests.events.conftest import add_type, make_event, request_for

pytestmark = pytest.mark.django_db


def test_freed_place_is_offered_to_the_first_and_held_for_them(collective, django_capture_on_commit_callbacks):
    event = make_event(collective)
    t = add_type(event, quantity=1)
    taken = orders.order_create(event=event, data=request_for([(t, "A")]))
    first = waiting_list_join(ticket_type=t, email="first@example.org", name="First")
    assert waiting_list_join(ticket_type=t, email="FIRST@example.org", name="First").pk == first.pk  # once
    waiting_list_join(ticket_type=t, email="second@example.org", name="Second")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        orders.order_refund(order=taken, by=enable_2fa(collective.admins.first()))
    first.refresh_from_db()
    assert first.status == WL.Status.OFFERED and first.offer_token
    assert [m.to for m in mail.outbox] == [["first@example.org"]] and first.offer_token in mail.outbox[0].body
    with pytest.raises(SoldOut):  # the offered place is held for the first person waiting
        orders.order_create(event=event, data=request_for([(t, "Queue jumper")], email="x@example.org"))
    with pytest.raises(InvalidOrder):
        orders.order_create(event=event, data=request_for([(t, "F")], email="f@example.org", offer_token="forged"))
    order = orders.order_create(
        event=event, data=request_for([(t, "First")], email="first@example.org", offer_token=first.offer_token)
    )
    assert order.status == Order.Status.CONFIRMED
    first.refresh_from_db()
    assert first.status == WL.Status.USED


def test_a_lapsed_offer_passes_to_the_next(collective):
    event = make_event(collective)
    t = add_type(event, quantity=1)
    first = waiting_list_join(ticket_type=t, email="first@example.org", name="First")
    second = waiting_list_join(ticket_type=t, email="second@example.org", name="Second")
    now = timezone.now()
    assert waiting_list_offer(event_id=event.pk, now=now) == 1
    assert waiting_list_offer(event_id=event.pk, now=now) == 0  # idempotent while the offer stands
    assert waiting_list_offer(event_id=event.pk, now=now + dt.timedelta(hours=25)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WL.Status.LAPSED and second.status == WL.Status.OFFERED


def test_upcoming_page_query_count_does_not_grow(client, collective, django_assert_max_num_queries):
    for i in range(2):
        make_event(collective, title=f"E{i}")
    with django_assert_max_num_queries(12):
        client.get("/events/")
    for i in range(10):
        make_event(collective, title=f"F{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/events/").status_code == 200


def test_the_offer_link_in_the_email_lets_its_holder_take_the_place_on_the_web(
    client, collective, django_capture_on_commit_callbacks
):
    """The emailed link opens the event page with the held place buyable for its holder (it showed "Sold out"
    to them too, with nothing to choose), in the reader's language; everyone else still sees it sold out."""
    event = make_event(collective)
    t = add_type(event, quantity=1)
    taken = orders.order_create(event=event, data=request_for([(t, "A")]))
    first = waiting_list_join(ticket_type=t, email="first@example.org", name="First")
    with django_capture_on_commit_callbacks(execute=True):
        orders.order_refund(order=taken, by=enable_2fa(collective.admins.first()))
    first.refresh_from_db()
    url = f"/fr/{collective.slug}/events/{event.slug}/"
    assert f"{event.slug}/?offer={first.offer_token}" in mail.outbox[-1].body

    public = client.get(url).content.decode()
    assert "Complet" in public and f'name="qty_{t.public_id}"' not in public and "Obtenir des billets" not in public

    page = client.get(f"{url}?offer={first.offer_token}").content.decode()
    assert "Une place « Standard » vous est réservée jusqu" in page
    assert f'name="qty_{t.public_id}"' in page and f'name="offer" value="{first.offer_token}"' in page
    assert "Complet" not in page
    forged = client.get(f"{url}?offer=forged").content.decode()
    assert "vous est réservée" not in forged and f'name="qty_{t.public_id}"' not in forged

    form = {
        "form_token": "w1",
        "offer": first.offer_token,
        f"qty_{t.public_id}": "1",
        "name": "First",
        "email": "first@example.org",
    }
    r = client.post(f"{url}?offer={first.offer_token}", form)
    assert r.status_code == 302
    assert Order.objects.get(person__email="first@example.org").status == Order.Status.CONFIRMED
    first.refresh_from_db()
    assert first.status == WL.Status.USED
