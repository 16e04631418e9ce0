"""Organisers add ticket types on a page: a price typed the way people type it (through the one amount parser),
places, a maximum per order, a sales window and questions to each attendee; bad input is answered clearly and
changes nothing; only the event's organisers may do it."""

import pytest

from opencity.events.models import TicketType
from tests.conftest import make_user
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db

FORM = {"name": "Reduced", "price": "7,50", "quantity": "20", "max_per_order": "2"}


def url(event, tail="tickets/new"):
    return f"/{event.collective.slug}/events/{event.slug}/{tail}"


def test_organiser_adds_a_ticket_type_with_a_window_and_questions(client, collective):
    event = make_event(collective, days=30)
    client.force_login(collective.admins.first())
    assert client.get(url(event)).status_code == 200
    r = client.post(
        url(event),
        {
            **FORM,
            "sales_start": "2026-01-01T09:00",
            "sales_end": "2099-01-01T09:00",
            "questions": "Dietary needs?\n\nWhich language do you prefer?\n",
        },
    )
    assert r.status_code == 302
    t = TicketType.objects.get(event=event)
    assert (t.price, t.quantity, t.max_per_order) == (750, 20, 2)
    assert t.questions == ["Dietary needs?", "Which language do you prefer?"]
    assert t.sales_start.hour == 8  # 09:00 in Brussels is 08:00 UTC in winter
    page = client.get(url(event, "")).content.decode()
    assert "Reduced" in page and "Dietary needs?" in page and f'name="{t.public_id}_0_q1"' in page


@pytest.mark.parametrize(
    "change,message",
    [
        ({"price": "-3"}, "The amount must be more than zero."),
        ({"price": "12.345"}, ""),
        ({"price": "1e3"}, ""),
        ({"quantity": "0"}, ""),
        ({"max_per_order": "0"}, ""),
        ({"sales_end": "2020-01-01T09:00"}, "The sales window is already over."),
        ({"sales_start": "2099-02-01T09:00", "sales_end": "2099-01-01T09:00"}, "Sales must close after they open."),
        ({"questions": "1\n2\n3\n4\n5\n6"}, "Ask at most 5 questions."),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(client, collective, change, message):
    event = make_event(collective)
    client.force_login(collective.admins.first())
    r = client.post(url(event), {**FORM, **change})
    assert r.status_code == 400 and message in r.content.decode()
    assert not TicketType.objects.filter(event=event).exists()


def test_only_organisers_add_ticket_types(client, collective):
    event = make_event(collective)
    client.force_login(make_user())
    assert client.post(url(event), FORM).status_code == 404
    client.logout()
    assert client.post(url(event), FORM).status_code == 302  # to the login page
    assert not TicketType.objects.filter(event=event).exists()
