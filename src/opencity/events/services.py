"""Writes for events: create an event or a series of dated occurrences, ticket types, door helpers.

Orders and places live in `orders.py`, check-in in `checkin.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import PermissionDenied
from opencity.events import permissions
from opencity.events.errors import InvalidEvent
from opencity.events.models import Event, EventSeries, TicketType
from opencity.hosting.models import LANGUAGE_CHOICES
from opencity.money import MAX_AMOUNT_MINOR

BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_OCCURRENCES = 60
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def local(value: dt.datetime) -> dt.datetime:
    """A naive date-time typed by an organiser is Brussels time; an aware one is kept as it is."""
    return value.replace(tzinfo=BRUSSELS) if timezone.is_naive(value) else value


def _unique_slug(collective, title: str, when: dt.datetime) -> str:
    base = (slugify(title)[:60] or "event") + "-" + when.astimezone(BRUSSELS).strftime("%Y-%m-%d")
    slug, n = base, 2
    while Event.objects.filter(collective=collective, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check(*, title, starts_at, ends_at, languages, accent_colour) -> None:
    if not (title or "").strip():
        raise InvalidEvent(_("An event needs a title."), code="title_required", field="title")
    if starts_at is None or ends_at is None:
        raise InvalidEvent(_("Enter when the event starts and ends."), code="dates_required", field="starts_at")
    if ends_at <= starts_at:
        raise InvalidEvent(_("The event must end after it starts."), code="ends_before_start", field="ends_at")
    known = {code for code, _name in LANGUAGE_CHOICES}
    if any(lang not in known for lang in languages or []):
        raise InvalidEvent(_("Unknown language."), code="unknown_language", field="languages")
    if accent_colour and not _COLOUR.match(accent_colour):
        raise InvalidEvent(_("Use a colour like #1a6b54."), code="invalid_colour", field="accent_colour")
    if accent_colour:
        from opencity.hosting.branding import clean_accent

        clean_accent(accent_colour, field="accent_colour")  # dark enough for white text on it


@transaction.atomic
def event_create(
    *,
    collective,
    by,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    venue_name: str = "",
    venue_address: str = "",
    languages: list[str] | None = None,
    private_instructions: str = "",
    accent_colour: str = "",
    series: EventSeries | None = None,
) -> Event:
    if by is not None and not permissions.can_manage_events(by, collective):
        raise PermissionDenied()
    starts_at, ends_at = local(starts_at), local(ends_at)
    _check(title=title, starts_at=starts_at, ends_at=ends_at, languages=languages, accent_colour=accent_colour)
    return Event.objects.create(
        collective=collective,
        series=series,
        slug=_unique_slug(collective, title, starts_at),
        title=title.strip()[:200],
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        venue_name=venue_name.strip()[:200],
        venue_address=venue_address.strip()[:300],
        languages=list(languages or []),
        private_instructions=private_instructions,
        accent_colour=accent_colour,
        created_by=by,
    )


@transaction.atomic
def ticket_type_create(
    *,
    event: Event,
    by,
    name: str,
    price: int,
    quantity: int,
    max_per_order: int = 10,
    sales_start: dt.datetime | None = None,
    sales_end: dt.datetime | None = None,
    questions: list[str] | None = None,
    allow_past_window: bool = False,
) -> TicketType:
    """`allow_past_window` is for the demo's past events only: organisers cannot open sales in the past."""
    if by is not None and not permissions.can_manage_event(by, event):
        raise PermissionDenied()
    if not (name or "").strip():
        raise InvalidEvent(_("A ticket type needs a name."), code="name_required", field="name")
    if isinstance(price, bool) or not isinstance(price, int) or price < 0 or price > MAX_AMOUNT_MINOR:
        raise InvalidEvent(
            _("The price must be zero (free) or a positive amount."), code="invalid_price", field="price"
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1 or quantity > 100_000:
        raise InvalidEvent(_("Enter how many places there are."), code="invalid_quantity", field="quantity")
    if not isinstance(max_per_order, int) or not 1 <= max_per_order <= 100:
        raise InvalidEvent(_("The maximum per order is 1 to 100."), code="invalid_max_per_order", field="max_per_order")
    sales_start = local(sales_start) if sales_start else None
    sales_end = local(sales_end) if sales_end else None
    if sales_start and sales_end and sales_end <= sales_start:
        raise InvalidEvent(_("Sales must close after they open."), code="invalid_sales_window", field="sales_end")
    if sales_end and sales_end <= timezone.now() and not allow_past_window:
        raise InvalidEvent(_("The sales window is already over."), code="sales_window_past", field="sales_end")
    questions = [q.strip()[:200] for q in questions or [] if q and q.strip()][:5]
    return TicketType.objects.create(
        event=event,
        name=name.strip()[:100],
        price=price,
        currency=event.collective.currency,
        quantity=quantity,
        max_per_order=max_per_order,
        sales_start=sales_start,
        sales_end=sales_end,
        questions=questions,
        position=event.ticket_types.count(),
    )


def series_dates(*, rrule: str, first_start: dt.datetime, count: int = 12) -> list[dt.datetime]:
    """The occurrences' start times: the rule is expanded in *local* (wall-clock) Brussels time, then each date
    is made aware on its own, so "19:00 every first Wednesday" stays 19:00 across daylight-saving changes."""
    first_start = local(first_start).astimezone(BRUSSELS)
    naive = first_start.replace(tzinfo=None)
    try:
        rule = rrulestr(rrule.removeprefix("RRULE:"), dtstart=naive)
    except (ValueError, TypeError):
        raise InvalidEvent(
            _("This repeat rule is not valid (e.g. FREQ=MONTHLY;BYDAY=1WE)."), code="invalid_rrule", field="rrule"
        ) from None
    out = []
    for occurrence in rule:
        out.append(occurrence.replace(tzinfo=BRUSSELS))
        if len(out) >= min(count, MAX_OCCURRENCES):
            break
    return out


@transaction.atomic
def series_create(
    *,
    collective,
    by,
    title: str,
    rrule: str,
    first_start: dt.datetime,
    duration: dt.timedelta,
    count: int = 12,
    tickets: list[dict] | None = None,
    **event_fields,
) -> EventSeries:
    """A series and its dated occurrences, each with its own ticket types (`tickets`: ticket_type_create kwargs)."""
    if by is not None and not permissions.can_manage_events(by, collective):
        raise PermissionDenied()
    if not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidEvent(_("A series has 1 to 60 dates."), code="invalid_count", field="count")
    dates = series_dates(rrule=rrule, first_start=first_start, count=count)
    series = EventSeries.objects.create(
        collective=collective,
        title=title.strip()[:200],
        rrule=rrule.removeprefix("RRULE:")[:300],
        first_start=local(first_start),
        duration_minutes=int(duration.total_seconds() // 60),
    )
    for start in dates:
        event = event_create(
            collective=collective,
            by=by,
            title=title,
            starts_at=start,
            ends_at=(start.replace(tzinfo=None) + duration).replace(tzinfo=BRUSSELS),
            series=series,
            **event_fields,
        )
        for t in tickets or []:
            ticket_type_create(event=event, by=by, allow_past_window=True, **t)
    return series


@transaction.atomic
def event_helper_add(*, event: Event, by, user) -> Event:
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied()
    event.helpers.add(user)
    return event


@transaction.atomic
def event_helper_remove(*, event: Event, by, user) -> Event:
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied()
    event.helpers.remove(user)
    return event
