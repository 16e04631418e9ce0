"""Event pages: upcoming events, an event (buy or register), its order page, the door, attendees, calendars."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencity.community.services import consent_wording
from opencity.core.errors import DomainError
from opencity.core.markdown import render_markdown
from opencity.events import checkin, orders, permissions, selectors
from opencity.events.ics import calendar_ics, event_ics
from opencity.events.models import Order
from opencity.events.waiting import waiting_list_join
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors
from opencity.hosting.models import LANGUAGE_CHOICES, Category, Commune
from opencity.payments import providers


def _collective(request, slug):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise Http404
    return collective


def _event(request, slug, event_slug):
    collective = _collective(request, slug)
    event = selectors.event_by_slug(collective, event_slug)
    if event is None:
        raise Http404
    return event


def upcoming(request):
    f = {k: request.GET.get(k, "") for k in ("category", "commune", "language")}
    f = {
        k: v
        for k, v in f.items()
        if v
        in {"category": Category.values, "commune": Commune.values, "language": [c for c, _n in LANGUAGE_CHOICES]}[k]
    }
    free = request.GET.get("free") == "1"
    events = selectors.upcoming_events(free_only=free, **f)[:200]
    return render(
        request,
        "events/upcoming.html",
        {
            "events": events,
            "filters": f,
            "free": free,
            "categories": Category.choices,
            "communes": Commune.choices,
            "languages": LANGUAGE_CHOICES,
        },
    )


def feed(request, slug):
    """A collective's calendar, or — at a host's own address — the whole host's (the city's calendar)."""
    collective = _collective(request, slug)
    host = collective.host if collective.is_host_profile else None
    events = selectors.public_events(host=host) if host is not None else selectors.public_events(collective=collective)
    since = timezone.now() - dt.timedelta(days=180)  # a live feed: recent and coming events
    body = calendar_ics(events.filter(ends_at__gte=since).select_related("collective")[:500], name=collective.name)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def collective_events(request, slug):
    collective = _collective(request, slug)
    events = list(selectors.public_events(collective=collective).order_by("-starts_at")[:100])
    return render(
        request,
        "events/list.html",
        {
            "collective": collective,
            "events": events,
            "can_manage": permissions.can_manage_events(request.user, collective),
        },
    )


@dataclass
class TicketCard:
    """One ticket type on the event's form, with what the buyer typed if the form comes back with an error."""

    a: selectors.Availability
    qty: int
    slots: list[dict]


def _ticket_cards(availability, posted) -> list[TicketCard]:
    cards = []
    for a in availability:
        pid = a.ticket_type.public_id
        raw = (posted.get(f"qty_{pid}") or "").strip()
        slots = [
            {
                "i": i,
                "name": posted.get(f"{pid}_{i}_name", ""),
                "email": posted.get(f"{pid}_{i}_email", ""),
                "answers": [(q, posted.get(f"{pid}_{i}_q{n}", "")) for n, q in enumerate(a.ticket_type.questions)],
            }
            for i in a.slots
        ]
        cards.append(TicketCard(a=a, qty=int(raw) if raw.isdigit() and int(raw) <= len(slots) else 0, slots=slots))
    return cards


def detail(request, slug, event_slug):
    event = _event(request, slug, event_slug)
    errors = None
    if request.method == "POST":
        result = _buy(request, event)
        if isinstance(result, Order):
            if result.status == Order.Status.PENDING:
                start = orders.order_start_payment(order=result, request=request)
                return redirect(start.redirect_url or orders.order_url(result))
            return redirect(orders.order_url(result))
        errors = result
    offer = selectors.offer_held(event, request.GET.get("offer", ""))
    availability = selectors.event_availability(event, offer=offer)
    paid = any(a.ticket_type.price for a in availability)
    context = {
        "event": event,
        "collective": event.collective,
        "description": render_markdown(event.description),
        "availability": availability,
        "cards": _ticket_cards(availability, request.POST if errors else {}),
        "buyable": any(a.on_sale and not a.sold_out for a in availability),
        "methods": providers.available(event.collective.host) if paid else [],
        "error": errors,
        "form_token": uuid.uuid4().hex,
        "can_manage": permissions.can_manage_event(request.user, event),
        "can_check_in": permissions.can_check_in(request.user, event),
        "result": selectors.event_result(event) if event.is_past else None,
        "offer": offer.offer_token if offer is not None else "",
        "offer_held": offer,
        "posted": request.POST if request.method == "POST" else {},
        "keep_informed_wording": consent_wording(event.collective.host),
    }
    return render(request, "events/detail.html", context, status=400 if errors else 200)


def _buy(request, event):
    """Parse the form: a quantity per ticket type, then each attendee's name (and email)."""
    attendees = []
    try:
        for t in event.ticket_types.all():
            raw = request.POST.get(f"qty_{t.public_id}", "0") or "0"
            qty = int(raw) if raw.strip().isdigit() else -1
            if qty < 0:
                return _("Enter a number of tickets.")
            for i in range(min(qty, 101)):
                prefix = f"{t.public_id}_{i}"
                answers = {q: request.POST.get(f"{prefix}_q{n}", "") for n, q in enumerate(t.questions)}
                attendees.append(
                    orders.AttendeeIn(
                        ticket_type=t.public_id,
                        name=request.POST.get(f"{prefix}_name", "") or (request.POST.get("name", "") if i == 0 else ""),
                        email=request.POST.get(f"{prefix}_email", ""),
                        answers=answers,
                    )
                )
        data = orders.OrderRequest(
            attendees=attendees,
            email=request.POST.get("email", ""),
            name=request.POST.get("name", ""),
            payment_method=request.POST.get("payment_method", ""),
            contact_consent=request.POST.get("contact_consent") == "on",
            keep_informed=request.POST.get("keep_informed") in ("on", "1", "true"),
            language=get_language() or "",
            idempotency_token=request.POST.get("form_token", ""),
            offer_token=request.POST.get("offer", ""),
        )
        if not request.session.session_key:
            request.session.save()  # a guest's idempotency keys belong to this browser session
        return orders.order_create(event=event, data=data, user=request.user, session_key=request.session.session_key)
    except DomainError as exc:
        return exc.message


def order(request, slug, event_slug, public_id):
    event = _event(request, slug, event_slug)
    o = Order.objects.filter(event=event, public_id=public_id).select_related("person").first()
    if o is None:
        raise Http404
    # The order's public id is its secret link (sent to nobody else); codes are shown only to its buyer.
    instructions = {}
    if o.status == Order.Status.PENDING and o.contribution_id:
        # A bank transfer: the beneficiary, IBAN, amount, structured communication and EPC QR code.
        instructions = providers.get(o.contribution.payment_method).instructions(o.contribution)
    return render(
        request,
        "events/order.html",
        {
            "event": event,
            "order": o,
            "tickets": o.tickets.select_related("ticket_type"),
            "instructions": instructions,
        },
    )


def registration_confirm(request, public_id: str, token: str):
    """ "This was me", from the ticket email: the page asks, a POST confirms (a mail scanner's GET does not)."""
    from django.contrib import messages

    from opencity.events import registrations

    o = Order.objects.select_related("event__collective__host", "person").filter(public_id=public_id).first()
    if o is None or registrations.read_token(o, token) is None:
        raise Http404
    if request.method == "POST":
        try:
            registrations.registration_confirm(order=o, token=token)
        except DomainError:
            raise Http404 from None
        messages.success(request, _("Thank you: this event now counts in your community history."))
        return redirect("events:detail", slug=o.event.collective.slug, event_slug=o.event.slug)
    return render(request, "events/registration_confirm.html", {"order": o, "event": o.event})


def event_calendar(request, slug, event_slug):
    event = _event(request, slug, event_slug)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@login_required
def door(request, slug, event_slug):
    event = _event(request, slug, event_slug)
    if not permissions.can_check_in(request.user, event):
        raise DjangoPermissionDenied  # the 403 page: "you are not allowed to do this"
    result = None
    if request.method == "POST":
        result = checkin.ticket_check_in(
            event=event, code=request.POST.get("code", ""), by=request.user, door=request.POST.get("door", "")
        )
    arrived, total = checkin.arrivals(event)
    if request.method == "POST" and request.headers.get("Accept") == "application/json":
        return JsonResponse(_result_json(result, arrived, total))
    return render(request, "events/door.html", {"event": event, "result": result, "arrived": arrived, "total": total})


def _result_json(result, arrived, total) -> dict:
    t = result.ticket
    return {
        "outcome": result.outcome,
        "name": t.attendee_name if t else "",
        "ticket_type": t.ticket_type.name if t else "",
        "checked_in_at": t.checked_in_at.isoformat() if t and t.checked_in_at else None,
        "checked_in_by": t.checked_in_by.display_name if t and t.checked_in_by else "",
        "arrived": arrived,
        "total": total,
    }


def poster(request, slug, event_slug):
    from opencity.events.poster import event_poster_pdf

    event = _event(request, slug, event_slug)
    size = "A3" if request.GET.get("size") == "A3" else "A4"
    lang = request.GET.get("lang") or get_language() or "en"
    pdf = event_poster_pdf(event, size=size, language=lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{event.slug}-poster-{size}.pdf"'
    return response


def collective_poster(request, slug):
    from opencity.events.poster import collective_poster_pdf

    collective = _collective(request, slug)
    size = "A3" if request.GET.get("size") == "A3" else "A4"
    pdf = collective_poster_pdf(collective, size=size, language=request.GET.get("lang") or get_language() or "en")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{collective.slug}-poster-{size}.pdf"'
    return response


@require_POST
def waiting_join(request, slug, event_slug):
    from django.contrib import messages

    event = _event(request, slug, event_slug)
    t = event.ticket_types.filter(public_id=request.POST.get("ticket_type", "")).first()
    if t is None:
        raise Http404
    try:
        waiting_list_join(
            ticket_type=t,
            email=request.POST.get("email", ""),
            name=request.POST.get("name", ""),
            language=get_language(),
        )
        messages.success(request, _("You are on the waiting list. We will email you if a place frees up."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("events:detail", slug=slug, event_slug=event_slug)
