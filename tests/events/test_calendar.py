"""Calendars parse with icalendar and carry the Brussels time zone; a series keeps its wall-clock time
across the daylight-saving change."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from opencity.events import services
from opencity.events.errors import InvalidEvent
from opencity.events.ics import calendar_ics
from opencity.events.models import Event
from tests.conftest import make_collective
from tests.events.conftest import add_type, make_event

pytestmark = pytest.mark.django_db
BXL = ZoneInfo("Europe/Brussels")


def _parse(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_event_ics_has_brussels_time_and_no_private_data(client, collective):
    event = make_event(collective)
    r = client.get(f"/{collective.slug}/events/{event.slug}/event.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    (v,) = _parse(r.content)
    start = v.decoded("dtstart")
    assert start.tzinfo is not None and str(v["dtstart"].params["TZID"]) == "Europe/Brussels"
    assert start == event.starts_at.replace(microsecond=0)
    assert "VTIMEZONE" in r.content.decode()
    assert "Ring twice" not in r.content.decode()  # private instructions never leave the attendees' email


def test_collective_and_host_feeds(client, host, collective):
    other = make_collective(host)
    make_event(collective, title="Repair café")
    make_event(other, title="Picnic")
    mine = {str(v["summary"]) for v in _parse(client.get(f"/{collective.slug}/events.ics").content)}
    assert mine == {"Repair café"}
    city = {str(v["summary"]) for v in _parse(client.get(f"/{host.slug}/events.ics").content)}
    assert city == {"Repair café", "Picnic"}


def test_first_wednesday_series_across_dst(collective):
    # 19:00 on the first Wednesday, from February to May 2027: Belgium moves to summer time on 28 March.
    series = services.series_create(
        collective=collective,
        by=collective.admins.first(),
        title="BrusselsTogether meetup",
        rrule="RRULE:FREQ=MONTHLY;BYDAY=1WE",
        first_start=dt.datetime(2027, 2, 3, 19, 0),
        duration=dt.timedelta(hours=2),
        count=4,
        tickets=[{"name": "Free", "price": 0, "quantity": 40}],
    )
    events = list(series.occurrences.order_by("starts_at"))
    local = [e.starts_at.astimezone(BXL) for e in events]
    assert [d.date() for d in local] == [
        dt.date(2027, 2, 3),
        dt.date(2027, 3, 3),
        dt.date(2027, 4, 7),
        dt.date(2027, 5, 5),
    ]
    assert {(d.hour, d.minute) for d in local} == {(19, 0)}
    utc = [e.starts_at.astimezone(dt.UTC).hour for e in events]
    assert utc == [18, 18, 17, 17]  # CET then CEST
    assert all(e.ticket_types.count() == 1 for e in events)
    ics = _parse(calendar_ics(events, name="x"))
    assert [v.decoded("dtstart").hour for v in ics] == [19, 19, 19, 19]


def test_bad_rrule_creates_nothing(collective):
    with pytest.raises(InvalidEvent) as err:
        services.series_create(
            collective=collective,
            by=collective.admins.first(),
            title="Bad",
            rrule="FREQ=SOMETIMES",
            first_start=dt.datetime(2027, 2, 3, 19, 0),
            duration=dt.timedelta(hours=2),
        )
    assert err.value.code == "invalid_rrule" and Event.objects.count() == 0


def test_upcoming_page_filters(client, collective):
    e = make_event(collective, title="Free repair café")
    add_type(e, price=0)
    paid = make_event(collective, title="Dinner")
    add_type(paid, price=2500)
    r = client.get("/events/?free=1")
    assert r.status_code == 200
    assert b"Free repair caf" in r.content and b"Dinner" not in r.content
    assert b"Dinner" not in client.get("/events/?language=ar").content  # the events speak fr and nl
    assert b"Dinner" in client.get("/events/?language=nl").content
