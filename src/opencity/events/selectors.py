"""Reads that the event pages, the API, the calendars and the exports share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from opencity.contributions.models import Contribution
from opencity.events.models import Event, Order, Ticket, TicketType
from opencity.events.models import WaitingListEntry as WL
from opencity.events.orders import places_taken
from opencity.hosting.models import Collective

# Expenses that count as an event's costs: approved or on their way to being paid, or paid.
COST_STATUSES = ("approved", "scheduled", "paid")


def public_events(*, host=None, collective=None) -> QuerySet[Event]:
    qs = Event.objects.filter(collective__status=Collective.Status.ACTIVE).select_related("collective__host")
    if host is not None:
        qs = qs.filter(collective__host=host)
    if collective is not None:
        qs = qs.filter(collective=collective)
    return qs.order_by("starts_at", "pk")


def event_by_slug(collective, slug: str) -> Event | None:
    return public_events(collective=collective).filter(slug=slug).first()


def event_by_public_id(public_id: str) -> Event | None:
    return public_events().filter(public_id=public_id).first()


def upcoming_events(
    *, host=None, category: str = "", commune: str = "", language: str = "", free_only: bool = False, now=None
) -> QuerySet[Event]:
    now = now or timezone.now()
    qs = public_events(host=host).filter(ends_at__gt=now, status=Event.Status.PUBLISHED)
    if category:
        qs = qs.filter(collective__category=category)
    if commune:
        qs = qs.filter(collective__commune=commune)
    if language:
        qs = (
            qs.filter(languages__contains=[language])
            if _json_contains()
            else qs.filter(languages__icontains=f'"{language}"')
        )
    if free_only:
        qs = qs.filter(ticket_types__price=0).distinct()
    return qs


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@dataclass
class Availability:
    ticket_type: TicketType
    left: int
    on_sale: bool

    @property
    def sold_out(self) -> bool:
        return self.left <= 0

    @property
    def slots(self) -> range:
        """How many attendee rows the form offers (without JavaScript, one per ticket that can be bought)."""
        return range(max(0, min(self.left, self.ticket_type.max_per_order, 6)))


def offer_held(event: Event, token: str, *, now: dt.datetime | None = None) -> WL | None:
    """The waiting-list offer this link holds for its reader on this event, while it stands."""
    if not token:
        return None
    return (
        WL.objects.filter(
            offer_token=token,
            status=WL.Status.OFFERED,
            offer_expires_at__gt=now or timezone.now(),
            ticket_type__event=event,
        )
        .select_related("ticket_type")
        .first()
    )


def event_availability(event: Event, *, now: dt.datetime | None = None, offer: WL | None = None) -> list[Availability]:
    """What is left of each ticket type. The place an `offer` holds counts as taken for everyone but its holder."""
    now = now or timezone.now()
    types = list(event.ticket_types.all())
    taken = places_taken([t.pk for t in types], now=now)
    held = offer.ticket_type_id if offer is not None else None
    return [
        Availability(
            ticket_type=t,
            left=max(0, t.quantity - taken.get(t.pk, 0) + (1 if t.pk == held else 0)),
            on_sale=(not t.sales_start or t.sales_start <= now) and (not t.sales_end or now < t.sales_end),
        )
        for t in types
    ]


def event_attendees(event: Event) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(event=event, order__status=Order.Status.CONFIRMED)
        .select_related("ticket_type", "order__person", "checked_in_by")
        .order_by("attendee_name", "pk")
    )


def attendee_email(ticket: Ticket) -> str:
    """Shown to the collective's admins only when the buyer agreed to be contacted."""
    if not ticket.order.contact_consent:
        return ""
    return ticket.attendee_email or ticket.order.person.email


@dataclass
class EventResult:
    income: int  # ticket money kept (paid less refunded)
    fees: int  # processor and host fees on it
    costs: list[tuple[str, int]]  # (category label, amount)
    total_costs: int
    tickets: int
    attendance: int
    currency: str

    @property
    def result(self) -> int:
        return self.income - self.fees - self.total_costs

    @property
    def cost_per_attendee(self) -> int | None:
        return (self.total_costs + self.fees) // self.attendance if self.attendance else None


def event_result(event: Event) -> EventResult:
    """Income, fees, costs by category, result, attendance: "how much did it cost to run this event?"."""
    from opencity.expenses.selectors import category_label, host_category_map

    paid = Contribution.objects.filter(
        ticket_order__event=event, journal__isnull=False, purpose=Contribution.Purpose.TICKET
    ).aggregate(a=Sum("amount"), r=Sum("amount_refunded"), p=Sum("processor_fee"), h=Sum("host_fee"))
    income = (paid["a"] or 0) - (paid["r"] or 0)
    fees = (paid["p"] or 0) + (paid["h"] or 0)
    host = event.collective.host
    names = host_category_map(host)
    rows = (
        event.expenses.filter(status__in=COST_STATUSES)
        .values("category")
        .annotate(total=Sum("amount"))
        .order_by("-total", "category")
    )
    costs = [(category_label(host, r["category"], names), r["total"]) for r in rows]
    counts = Ticket.objects.filter(event=event, order__status=Order.Status.CONFIRMED).aggregate(
        n=Count("id"), arrived=Count("id", filter=Q(checked_in_at__isnull=False))
    )
    return EventResult(
        income=income,
        fees=fees,
        costs=costs,
        total_costs=sum(c for _l, c in costs),
        tickets=counts["n"],
        attendance=counts["arrived"],
        currency=event.collective.currency,
    )
