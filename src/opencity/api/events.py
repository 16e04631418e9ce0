"""Events: lists and availability (public, no emails), orders (anyone, like the web page), check-in (door
helpers, with their token)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import get_language
from ninja import Router, Schema
from pydantic import Field

from opencity.api.auth import optional_auth, token_auth
from opencity.api.pagination import clamp_limit, decode_cursor, encode_cursor
from opencity.api.schemas import ErrorOut, MoneyOut, money_out
from opencity.core.errors import NotFound, ValidationFailed
from opencity.events import checkin, orders, selectors
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors

router = Router(tags=["events"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 502: ErrorOut}


class TicketTypeOut(Schema):
    id: str
    name: str
    price: MoneyOut
    quantity: int
    left: int
    sold_out: bool
    on_sale: bool
    sales_start: datetime | None
    sales_end: datetime | None
    max_per_order: int
    questions: list[str]


class EventOut(Schema):
    id: str
    collective: str
    slug: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue_name: str
    venue_address: str
    languages: list[str]
    status: str
    url: str
    ics_url: str
    series: str | None


class EventDetailOut(EventOut):
    ticket_types: list[TicketTypeOut]


class EventsPage(Schema):
    results: list[EventOut]
    next: str | None


def _event_out(request, e) -> dict:
    from django.urls import reverse

    return {
        "id": e.public_id,
        "collective": e.collective.slug,
        "slug": e.slug,
        "title": e.title,
        "description": e.description,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "timezone": "Europe/Brussels",
        "venue_name": e.venue_name,
        "venue_address": e.venue_address,
        "languages": e.languages,
        "status": e.status,
        "url": request.build_absolute_uri(reverse("events:detail", args=[e.collective.slug, e.slug])),
        "ics_url": request.build_absolute_uri(reverse("events:ics", args=[e.collective.slug, e.slug])),
        "series": e.series.public_id if e.series_id else None,
    }


def _event(request, public_id: str):
    event = selectors.event_by_public_id(public_id)
    if event is None or not hosting_permissions.can_view_collective(request.user, event.collective):
        raise NotFound()
    return event


@router.get("/collectives/{slug}/events", response={200: EventsPage, **ERRORS}, auth=optional_auth)
def collective_events(request, slug: str, cursor: str | None = None, limit: int = 20, upcoming: bool = False):
    """Events of a collective by start time (`upcoming=true`: only those not over yet)."""
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise NotFound()
    limit = clamp_limit(limit)
    qs = selectors.public_events(collective=collective).select_related("series")
    if upcoming:
        from django.utils import timezone

        qs = qs.filter(ends_at__gt=timezone.now())
    after = decode_cursor(cursor)
    if after is not None:
        try:
            start, pk = datetime.fromisoformat(str(after["s"])), int(after["k"])
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed("Invalid cursor.", code="invalid_cursor", field="cursor") from None
        from django.db.models import Q

        qs = qs.filter(Q(starts_at__gt=start) | Q(starts_at=start, pk__gt=pk))
    rows = list(qs.order_by("starts_at", "pk")[: limit + 1])
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = encode_cursor({"s": last.starts_at.isoformat(), "k": last.pk})
    return {"results": [_event_out(request, e) for e in rows[:limit]], "next": nxt}


@router.get("/events/{public_id}", response={200: EventDetailOut, **ERRORS}, auth=optional_auth)
def event_detail(request, public_id: str):
    """An event with what is left of each ticket type (places held by pending payments count as taken)."""
    event = _event(request, public_id)
    body = _event_out(request, event)
    body["ticket_types"] = [
        {
            "id": a.ticket_type.public_id,
            "name": a.ticket_type.name,
            "price": money_out(a.ticket_type.price, a.ticket_type.currency),
            "quantity": a.ticket_type.quantity,
            "left": a.left,
            "sold_out": a.sold_out,
            "on_sale": a.on_sale,
            "sales_start": a.ticket_type.sales_start,
            "sales_end": a.ticket_type.sales_end,
            "max_per_order": a.ticket_type.max_per_order,
            "questions": a.ticket_type.questions,
        }
        for a in selectors.event_availability(event)
    ]
    return body


class AttendeeIn(Schema):
    ticket_type: str = Field(description="Ticket type id (tt_…)")
    name: str = Field(max_length=200)
    email: str = Field("", description="Only if different from the buyer's", max_length=254)
    answers: dict[str, str] = Field(default_factory=dict)


class OrderIn(Schema):
    attendees: list[AttendeeIn] = Field(description="One entry per ticket", max_length=100)
    email: str = Field("", description="Required without a token (the tickets are sent there)", max_length=254)
    name: str = Field("", max_length=200)
    payment_method: str = Field("", description="For paid tickets: stripe, demo, bank_transfer, …")
    contact_consent: bool = Field(False, description="The buyer agrees to be contacted by the collective")
    keep_informed: bool = Field(
        False, description="Keep me informed about initiatives in the city by the host (confirmed by an email link)"
    )
    idempotency_key: str = Field("", description="Same key twice creates one order", max_length=64)


class TicketOut(Schema):
    id: str
    name: str
    ticket_type: str
    code: str | None = Field(description="Only once the order is confirmed")


class OrderOut(Schema):
    id: str
    event: str
    status: str
    total: MoneyOut
    hold_expires_at: datetime | None
    checkout_url: str | None = None
    instructions: dict | None = None
    tickets: list[TicketOut]


@router.post("/events/{public_id}/orders", response={201: OrderOut, **ERRORS}, auth=optional_auth)
def order_create(request, public_id: str, payload: OrderIn):
    """Buy tickets or register. 409 `sold_out` when there are not enough places; free orders confirm at once."""
    event = _event(request, public_id)
    data = orders.OrderRequest(
        attendees=[
            orders.AttendeeIn(ticket_type=a.ticket_type, name=a.name, email=a.email, answers=a.answers)
            for a in payload.attendees
        ],
        email=payload.email,
        name=payload.name,
        payment_method=payload.payment_method,
        contact_consent=payload.contact_consent,
        keep_informed=payload.keep_informed,
        language=get_language() or "",
        idempotency_token=payload.idempotency_key or request.headers.get("Idempotency-Key", ""),
    )
    order = orders.order_create(event=event, data=data, user=request.user)
    body = {}
    if order.status == order.Status.PENDING and order.contribution_id:
        result = orders.order_start_payment(order=order, request=request)
        order.refresh_from_db()
        if result.instructions:
            body["instructions"] = result.instructions
        elif order.status == order.Status.PENDING and result.redirect_url:
            body["checkout_url"] = request.build_absolute_uri(result.redirect_url)
    confirmed = order.status == order.Status.CONFIRMED
    body.update(
        id=order.public_id,
        event=event.public_id,
        status=order.status,
        total=money_out(order.total, order.currency),
        hold_expires_at=order.hold_expires_at,
        tickets=[
            {
                "id": t.public_id,
                "name": t.attendee_name,
                "ticket_type": t.ticket_type.public_id,
                "code": t.code if confirmed else None,
            }
            for t in order.tickets.select_related("ticket_type")
        ],
    )
    return 201, body


class CheckInIn(Schema):
    code: str = Field(max_length=200)
    door: str = Field("", max_length=60)


class CheckInOut(Schema):
    outcome: str = Field(description="valid, used or unknown")
    name: str
    ticket_type: str
    checked_in_at: datetime | None
    checked_in_by: str
    arrived: int
    total: int


@router.post("/events/{public_id}/check-in", response={200: CheckInOut, **ERRORS}, auth=token_auth)
def check_in(request, public_id: str, payload: CheckInIn):
    """For the event's door helpers and the collective's admins. `used` says when and by whom."""
    event = _event(request, public_id)
    result = checkin.ticket_check_in(event=event, code=payload.code, by=request.user, door=payload.door)
    arrived, total = checkin.arrivals(event)
    t = result.ticket
    return {
        "outcome": result.outcome,
        "name": t.attendee_name if t else "",
        "ticket_type": t.ticket_type.name if t else "",
        "checked_in_at": t.checked_in_at if t else None,
        "checked_in_by": t.checked_in_by.display_name if t and t.checked_in_by else "",
        "arrived": arrived,
        "total": total,
    }
