"""The event pages and API: register on the web, the door page for helpers only, attendees for admins only
(emails only with consent), the after-event result, posters, and bad input answered clearly."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opencity.events import orders, services
from opencity.events.models import Order, Ticket
from opencity.expenses.models import Expense
from tests.conftest import PASSWORD, make_user
from tests.events.conftest import add_type, make_event, request_for

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_public_page_shows_what_is_left_and_sold_out(client, collective):
    event = make_event(collective)
    open_type = add_type(event, name="Standard", quantity=12)
    full = add_type(event, name="Early bird", quantity=1)
    orders.order_create(event=event, data=request_for([(full, "A")]))
    r = client.get(f"/{collective.slug}/events/{event.slug}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "12 left" in body and "Sold out" in body and "Waiting list" in body
    assert "Ring twice" not in body and "buyer@example.org" not in body  # private instructions, emails
    assert open_type.public_id in body


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", "French, Dutch"),
        ("fr", "Français, Néerlandais"),
        ("nl", "Frans, Nederlands"),
        ("ar", "الفرنسية, الهولندية"),
    ],
)
def test_public_page_names_the_languages_in_the_reader_s_language(client, collective, lang, names):
    event = make_event(collective)  # languages fr, nl
    r = client.get(f"/{collective.slug}/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE=lang, follow=True)
    assert names in r.content.decode()


def test_an_event_without_a_description_shows_no_empty_box(client, collective):
    bare = make_event(collective, title="Soup evening")
    described = make_event(collective, title="Repair evening", description="Bring a **broken** toaster.")
    page = client.get(f"/{collective.slug}/events/{bare.slug}/").content.decode()
    assert 'class="prose"' not in page
    page = client.get(f"/{collective.slug}/events/{described.slug}/").content.decode()
    assert 'class="prose"' in page and "<strong>broken</strong>" in page


def test_register_on_the_web_free(client, collective, django_capture_on_commit_callbacks):
    event = make_event(collective)
    t = add_type(event)
    form = {
        "form_token": "f1",
        f"qty_{t.public_id}": "2",
        f"{t.public_id}_0_name": "Amina",
        f"{t.public_id}_1_name": "Jef",
        "name": "Amina",
        "email": "amina@example.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/{collective.slug}/events/{event.slug}/", form)
    assert r.status_code == 302
    order = Order.objects.get()
    assert r["Location"].endswith(order.public_id) and order.status == Order.Status.CONFIRMED
    assert len(mail.outbox) == 1
    page = client.get(r["Location"]).content.decode()
    assert all(code in page for code in order.tickets.values_list("code", flat=True))
    client.post(f"/{collective.slug}/events/{event.slug}/", form)  # the same form again: one order
    assert Order.objects.count() == 1


def test_a_refused_ticket_form_comes_back_as_the_buyer_filled_it(client, collective, settings):
    """One attendee's name missing: the error shows, and the quantity, the names, the answers and the way to pay
    are still there (they used to come back empty, the quantity at 0)."""
    settings.DEMO_MODE = True
    event = make_event(collective)
    t = add_type(event, name="التسجيل", price=500, questions=["Dietary needs"])
    r = client.post(
        f"/fr/{collective.slug}/events/{event.slug}/",
        {
            "form_token": "f1",
            f"qty_{t.public_id}": "2",
            f"{t.public_id}_0_name": "Amina",
            f"{t.public_id}_0_q0": "Végétarienne",
            f"{t.public_id}_1_email": "jef@example.org",
            "name": "Amina",
            "email": "amina@example.org",
            "payment_method": "bank_transfer",
        },
    )
    page = r.content.decode()
    assert r.status_code == 400 and "Saisissez le nom de chaque participant." in page
    assert f'name="qty_{t.public_id}" min="0" max="10" value="2"' in page
    assert f'name="{t.public_id}_0_name" value="Amina"' in page
    assert f'name="{t.public_id}_0_q0" value="Végétarienne"' in page
    assert f'name="{t.public_id}_1_email" value="jef@example.org"' in page
    assert 'value="bank_transfer" checked' in page and 'value="demo" checked' not in page
    assert "<bdi>التسجيل</bdi>" in page  # a right-to-left name does not pull the price across in a French page
    assert Order.objects.count() == 0


@pytest.mark.parametrize("qty", ["0", "11", "-1", "x"])
def test_bad_quantities_on_the_web_change_nothing(client, collective, qty):
    event = make_event(collective)
    t = add_type(event)
    r = client.post(
        f"/{collective.slug}/events/{event.slug}/",
        {f"qty_{t.public_id}": qty, f"{t.public_id}_0_name": "A", "name": "A", "email": "a@example.org"},
    )
    assert r.status_code == 400 and b'role="alert"' in r.content
    assert Order.objects.count() == 0 and Ticket.objects.count() == 0


def test_door_page_for_helpers_only(client, collective):
    event = make_event(collective)
    t = add_type(event)
    order = orders.order_create(event=event, data=request_for([(t, "Amina")]))
    code = order.tickets.get().code
    stranger = make_user()
    _login(client, stranger)
    door = f"/{collective.slug}/events/{event.slug}/door"
    assert client.get(door).status_code == 403
    assert client.post(door, {"code": code}).status_code == 403
    assert Ticket.objects.get().checked_in_at is None
    helper = make_user()
    services.event_helper_add(event=event, by=collective.admins.first(), user=helper)
    _login(client, helper)
    assert b"Valid" in client.post(door, {"code": code.lower()}).content
    used = client.post(door, {"code": code}).content.decode()
    assert "Already used" in used and helper.display_name in used
    assert b"Unknown code" in client.post(door, {"code": "FORGED7777"}).content
    assert b"1 of 1 arrived" in client.get(door).content


def test_attendees_for_admins_only_with_emails_only_by_consent(client, collective):
    event = make_event(collective)
    t = add_type(event, questions=["Dietary needs?"])
    orders.order_create(event=event, data=request_for([(t, "Agreed")], email="yes@example.org", contact_consent=True))
    orders.order_create(event=event, data=request_for([(t, "Silent")], email="no@example.org"))
    url = f"/{collective.slug}/events/{event.slug}/attendees"
    _login(client, make_user())
    assert client.get(url).status_code == 404 and client.get(url + ".csv").status_code == 404
    _login(client, collective.admins.first())
    page = client.get(url).content.decode()
    assert "yes@example.org" in page and "no@example.org" not in page and "Silent" in page
    csv = client.get(url + ".csv").content.decode()
    assert csv.splitlines()[0] == "name,email,ticket_type,checked_in_at,Dietary needs?"
    assert "yes@example.org" in csv and "no@example.org" not in csv


def test_result_after_the_event(client, collective, settings):
    from tests.events.test_orders import _past_event_with_sales

    event = _past_event_with_sales(collective, settings)
    r = client.get(f"/{collective.slug}/events/{event.slug}/").content.decode()
    assert "What this event cost and earned" in r and "Cost per attendee" in r and "Venue" in r


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("size", ["A4", "A3"])
def test_poster(client, collective, lang, size):
    event = make_event(collective, title="Café réparation — مقهى الإصلاح")
    r = client.get(f"/{collective.slug}/events/{event.slug}/poster.pdf?size={size}&lang={lang}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get(f"/{collective.slug}/poster.pdf?size={size}&lang={lang}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_expense_links_to_an_event_of_its_collective_only(collective, host):
    from opencity.core.errors import ValidationFailed
    from tests.conftest import make_collective
    from tests.expenses.conftest import submit

    event = make_event(collective)
    other = make_event(make_collective(host))
    submitter = make_user()
    assert submit(collective, submitter, event_ref=event.public_id).event == event
    with pytest.raises(ValidationFailed):
        submit(collective, submitter, event_ref=other.public_id)
    assert Expense.objects.count() == 1


def test_expense_form_names_events_with_a_local_date_in_the_reader_s_format(collective, host):
    """The event picker of the expense form: the day as the reader writes it, in Brussels time (an event at
    00:30 on the 11th is on the 11th, not on the 10th as UTC would say)."""
    from django.utils import translation

    from opencity.expenses.forms import ExpenseForm

    event = make_event(collective)
    event.starts_at = dt.datetime(2026, 12, 10, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 11th in Brussels
    event.save(update_fields=["starts_at"])
    for lang, day in (("fr", "11/12/2026"), ("nl", "11-12-2026"), ("en", "11/12/2026")):
        with translation.override(lang):
            labels = dict(ExpenseForm(host=host, collective=collective).fields["event_ref"].choices)
        assert labels[event.public_id] == f"{event.title} ({day})", (lang, labels[event.public_id])


def test_api_events_availability_orders_and_check_in(client, collective, api_token):
    event = make_event(collective)
    t = add_type(event, quantity=3, max_per_order=2)
    listing = client.get(f"/api/v1/collectives/{collective.slug}/events").json()
    assert [e["id"] for e in listing["results"]] == [event.public_id] and listing["next"] is None
    detail = client.get(f"/api/v1/events/{event.public_id}").json()
    assert detail["ticket_types"][0]["left"] == 3 and "private_instructions" not in detail
    post = lambda body, **h: client.post(  # noqa: E731
        f"/api/v1/events/{event.public_id}/orders", body, content_type="application/json", **h
    )
    r = post({"attendees": [{"ticket_type": t.public_id, "name": "A"}] * 3, "email": "a@example.org"})
    assert r.status_code == 400 and r.json()["code"] == "quantity_above_maximum"
    r = post({"attendees": [], "email": "a@example.org"})
    assert r.status_code == 400 and r.json()["code"] == "quantity_zero"
    r = post({"attendees": [{"ticket_type": t.public_id, "name": "A"}] * 2, "email": "a@example.org"})
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    code = r.json()["tickets"][0]["code"]
    r = post({"attendees": [{"ticket_type": t.public_id, "name": "B"}] * 2, "email": "b@example.org"})
    assert r.status_code == 409 and r.json()["code"] == "sold_out"
    assert client.get(f"/api/v1/events/{event.public_id}").json()["ticket_types"][0]["left"] == 1
    check = lambda user, c: client.post(  # noqa: E731
        f"/api/v1/events/{event.public_id}/check-in",
        {"code": c},
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token(user),
    )
    assert check(make_user(), code).status_code == 403
    admin = collective.admins.first()
    assert check(admin, code).json()["outcome"] == "valid"
    used = check(admin, code).json()
    assert used["outcome"] == "used" and used["checked_in_by"] == admin.display_name and used["arrived"] == 1
    assert check(admin, "NOPE").json()["outcome"] == "unknown"


def test_sales_window_past_via_service_is_clear(collective):
    event = make_event(collective)
    from opencity.events.errors import InvalidEvent

    with pytest.raises(InvalidEvent):
        add_type(event, sales_end=timezone.now() - dt.timedelta(minutes=1))


def test_organiser_creates_a_monthly_series_from_the_form(client, collective):
    url = f"/{collective.slug}/events/new"
    _login(client, make_user())
    assert client.get(url).status_code == 403
    _login(client, collective.admins.first())
    form = {
        "title": "Neighbours' meetup",
        "description": "Hello **all**",
        "starts_at": "2027-02-03T19:00",
        "ends_at": "2027-02-03T21:00",
        "languages": ["fr", "ar"],
        "repeat": "FREQ=MONTHLY;BYDAY=1WE",
        "count": "3",
        "ticket_name": "Supporter",
        "ticket_price": "5,50",
        "ticket_quantity": "30",
        "ticket_max_per_order": "2",
    }
    r = client.post(url, form)
    assert r.status_code == 302
    from opencity.events.models import Event

    events = list(Event.objects.order_by("starts_at"))
    assert len(events) == 3 and events[0].ticket_types.get().price == 550
    bad = client.post(url, {**form, "ticket_price": "-3", "title": "Other"})
    assert bad.status_code == 400 and Event.objects.count() == 3
    bad = client.post(url, {**form, "ends_at": "2027-02-03T18:00", "repeat": "", "title": "Other"})
    assert bad.status_code == 400 and Event.objects.count() == 3


def test_admin_names_a_door_helper(client, collective):
    event = make_event(collective)
    helper = make_user()
    _login(client, collective.admins.first())
    url = f"/{collective.slug}/events/{event.slug}/attendees"
    assert client.post(url, {"email": "nobody@example.org"}).status_code == 200
    assert client.post(url, {"email": helper.email.upper()}).status_code == 302
    assert list(event.helpers.all()) == [helper]


def test_admin_refund_from_the_attendee_list_needs_a_second_factor(client, collective, settings):
    from tests.conftest import enable_2fa
    from tests.expenses.conftest import fund

    settings.DEMO_MODE = True
    event = make_event(collective)
    free = add_type(event, quantity=1)
    paid = add_type(event, name="Supporter", price=1000, quantity=1)
    registration = orders.order_create(event=event, data=request_for([(free, "A")]))
    bought = orders.order_create(event=event, data=request_for([(paid, "B")], method="demo", email="b@example.org"))
    orders.order_start_payment(order=bought)
    enable_2fa(collective.host.admins.first())
    fund(collective, 1000)
    admin = collective.admins.first()
    _login(client, admin)
    page = client.get(f"/{collective.slug}/events/{event.slug}/attendees").content
    assert b"Cancel registration" in page and b"Refund order" in page
    base = f"/{collective.slug}/events/{event.slug}/orders"
    client.post(f"{base}/{bought.public_id}/refund")
    bought.refresh_from_db()
    assert bought.status == Order.Status.CONFIRMED  # money by hand: refused without a second factor
    client.post(f"{base}/{registration.public_id}/refund")  # a free registration moves no money
    registration.refresh_from_db()
    assert registration.status == Order.Status.REFUNDED
    client.force_login(enable_2fa(admin))  # a session that passed the second factor just now
    client.post(f"{base}/{bought.public_id}/refund")
    bought.refresh_from_db()
    assert bought.status == Order.Status.REFUNDED


def test_api_order_retried_with_the_same_idempotency_key_makes_one_order(client, collective):
    event = make_event(collective)
    t = add_type(event)
    body = {"attendees": [{"ticket_type": t.public_id, "name": "A"}], "email": "a@example.org"}
    ids = {
        client.post(
            f"/api/v1/events/{event.public_id}/orders",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        ).json()["id"]
        for _ in range(3)
    }
    assert len(ids) == 1 and Order.objects.count() == 1 and Ticket.objects.count() == 1
