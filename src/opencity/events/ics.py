"""ICS calendars (RFC 5545) with `icalendar`: one event, a collective's feed, the whole host's feed.

Times carry the Europe/Brussels time zone (with its VTIMEZONE), so calendars show the right hour on both
sides of a daylight-saving change. Only public facts: never the private instructions or attendees.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from opencity.events.models import Event

BRUSSELS = ZoneInfo("Europe/Brussels")


def event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:detail", args=[event.collective.slug, event.slug])


def _vevent(event: Event) -> VEvent:
    v = VEvent()
    v.add("uid", f"{event.public_id}@opencity")
    v.add("dtstamp", timezone.now())
    v.add("dtstart", event.starts_at.astimezone(BRUSSELS))
    v.add("dtend", event.ends_at.astimezone(BRUSSELS))
    v.add("summary", event.title)
    v.add("description", (event.description or "")[:2000] + "\n\n" + event_url(event))
    v.add("url", event_url(event))
    where = ", ".join(x for x in (event.venue_name, event.venue_address) if x)
    if where:
        v.add("location", where)
    v.add("organizer", event.collective.name)
    if event.status == Event.Status.CANCELLED:
        v.add("status", "CANCELLED")
    return v


def calendar_ics(events, *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//OpenCity//events//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Brussels")
    for event in events:
        cal.add_component(_vevent(event))
    cal.add_missing_timezones()
    return cal.to_ical()


def event_ics(event: Event) -> bytes:
    return calendar_ics([event], name=event.title)
