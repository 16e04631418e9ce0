"""A visitor registers for a free event, receives the ticket email (QR code and .ics), and a door helper checks
the ticket in on the phone-sized door page; the same code a second time is refused as already used."""

import re

import pytest

from opencity.events import services
from opencity.events.models import Ticket
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_collective, make_host, make_user
from tests.events.conftest import add_type, make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_registers_and_a_door_helper_checks_the_ticket_in(browser, page, live_server, mailoutbox):
    collective = make_collective(make_host(), name="Repair Café Test")
    event = make_event(collective, title="Repair café in the park")
    t = add_type(event, name="Repair slot", quantity=20)

    page.goto(f"/{collective.slug}/events/{event.slug}/")
    assert "20 left" in page.inner_text("main")
    assert not page.is_visible(f"input[name={t.public_id}_0_name]")  # no ticket chosen: no attendee rows
    page.fill(f"input[name=qty_{t.public_id}]", "1")
    assert not page.is_visible(f"input[name={t.public_id}_1_name]")  # one row per ticket chosen
    page.fill(f"input[name={t.public_id}_0_name]", "Visiting Vera")
    page.fill("input[name=name]", "Visiting Vera")
    page.fill("input[name=email]", "vera@example.org")
    page.click("form.ticket-form button[type=submit]")
    page.wait_for_selector("text=You are registered")
    ticket = Ticket.objects.get()
    assert ticket.code in page.inner_text("main")

    (email,) = [m for m in mailoutbox if m.to == ["vera@example.org"]]
    assert ticket.code in email.body and "Repair café in the park" in email.subject
    names = [a[0] for a in email.attachments]
    assert f"ticket-{ticket.code}.png" in names and f"{event.slug}.ics" in names
    code = re.search(r"code ([A-Z0-9]{10})", email.body).group(1)

    helper = make_user(name="Door Dirk")
    services.event_helper_add(event=event, by=collective.admins.first(), user=helper)
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}, locale="en-GB")
    door = phone.new_page()
    login(door, helper.email, PASSWORD)
    door.goto(f"/{collective.slug}/events/{event.slug}/door")
    assert "0 of 1 arrived" in door.inner_text("main")
    assert door.evaluate("document.documentElement.scrollWidth") <= 390
    door.fill("#id_code", code.lower())
    door.click("#door-form button[type=submit]")
    door.wait_for_selector(".door-valid")
    assert "Visiting Vera" in door.inner_text("#outcome") and "1 of 1 arrived" in door.inner_text("main")
    door.fill("#id_code", code)
    door.click("#door-form button[type=submit]")
    door.wait_for_selector(".door-used")
    assert "Door Dirk" in door.inner_text("#outcome")
    phone.close()
    ticket.refresh_from_db()
    assert ticket.checked_in_by == helper
