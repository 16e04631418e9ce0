"""The organisers' pages of an event: create it (or a series), add ticket types, see and export attendees,
name door helpers, refund an order. Public pages are in views.py, the look in branding_views.py."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencity.core.errors import DomainError
from opencity.events import orders, permissions, selectors
from opencity.events.forms import HelperForm
from opencity.events.models import Order
from opencity.events.views import _collective, _event


@login_required
def event_new(request, slug):
    """An organiser creates an event (or a series of dated occurrences from a repeat rule) with its first tickets."""
    from opencity.events.forms import EventForm

    collective = _collective(request, slug)
    if not permissions.can_manage_events(request.user, collective):
        raise DjangoPermissionDenied
    form = EventForm(request.POST or None, request.FILES or None, currency=collective.currency)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            k: d[k] for k in ("description", "venue_name", "venue_address", "private_instructions", "accent_colour")
        }
        fields["languages"] = d["languages"]
        ticket = {
            "name": d["ticket_name"],
            "price": d["ticket_price"],
            "quantity": d["ticket_quantity"],
            "max_per_order": d["ticket_max_per_order"],
        }
        rule = (d["rrule"] or d["repeat"] or "").strip()
        try:
            with transaction.atomic():
                event = _create_events(request, collective, d, rule, fields, ticket)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("events:detail", slug=collective.slug, event_slug=event.slug)
    return render(
        request, "events/new.html", {"collective": collective, "form": form}, status=400 if form.errors else 200
    )


def _create_events(request, collective, d, rule, fields, ticket):
    """One event, or a series of dates, with their first ticket type and their cover and logo."""
    from opencity.events import branding, services

    if rule:
        series = services.series_create(
            collective=collective,
            by=request.user,
            title=d["title"],
            rrule=rule,
            first_start=d["starts_at"].replace(tzinfo=None),
            duration=d["ends_at"] - d["starts_at"],
            count=d["count"] or 6,
            tickets=[ticket],
            **fields,
        )
        events = list(series.occurrences.order_by("starts_at"))
    else:
        event = services.event_create(
            collective=collective,
            by=request.user,
            title=d["title"],
            starts_at=d["starts_at"].replace(tzinfo=None),
            ends_at=d["ends_at"].replace(tzinfo=None),
            **fields,
        )
        services.ticket_type_create(event=event, by=request.user, **ticket)
        events = [event]
    if d.get("cover") or d.get("logo"):
        branding.events_set_look(events=events, by=request.user, logo=d.get("logo"), cover=d.get("cover"))
    return events[0]


@login_required
def ticket_type_new(request, slug, event_slug):
    """An organiser adds a ticket type: a price, places, a sales window, questions to each attendee."""
    from opencity.events import services
    from opencity.events.forms import TicketTypeForm

    event = _event(request, slug, event_slug)
    if not permissions.can_manage_event(request.user, event):
        raise Http404
    form = TicketTypeForm(request.POST or None, currency=event.collective.currency)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.ticket_type_create(
                event=event,
                by=request.user,
                name=d["name"],
                price=d["price"],
                quantity=d["quantity"],
                max_per_order=d["max_per_order"],
                sales_start=d["sales_start"].replace(tzinfo=None) if d["sales_start"] else None,
                sales_end=d["sales_end"].replace(tzinfo=None) if d["sales_end"] else None,
                questions=d["questions"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("events:detail", slug=slug, event_slug=event_slug)
    return render(
        request, "events/ticket_type_new.html", {"event": event, "form": form}, status=400 if form.errors else 200
    )


@login_required
def attendees(request, slug, event_slug):
    event = _event(request, slug, event_slug)
    if not permissions.can_view_attendees(request.user, event):
        raise Http404
    rows = [(t, selectors.attendee_email(t)) for t in selectors.event_attendees(event)]
    flagged = Order.objects.filter(event=event, needs_refund=True)
    helper_form = HelperForm(request.POST or None)
    if request.method == "POST" and helper_form.is_valid():
        from opencity.accounts.models import User
        from opencity.events import services

        helper = User.objects.filter(email__iexact=helper_form.cleaned_data["email"], is_active=True).first()
        if helper is None:
            helper_form.add_error("email", _("No account uses this email address."))
        else:
            services.event_helper_add(event=event, by=request.user, user=helper)
            return redirect("events:attendees", slug=slug, event_slug=event_slug)
    return render(
        request,
        "events/attendees.html",
        {"event": event, "rows": rows, "flagged": flagged, "helper_form": helper_form, "helpers": event.helpers.all()},
    )


@login_required
@require_POST
def order_refund(request, slug, event_slug, public_id):
    """An admin refunds an order (money by hand: needs a recent second factor) or cancels a free one."""
    from django.contrib import messages

    event = _event(request, slug, event_slug)
    o = Order.objects.filter(event=event, public_id=public_id).first()
    if o is None or not permissions.can_manage_event(request.user, event):
        raise Http404
    try:
        orders.order_refund(order=o, by=request.user)
        messages.success(request, _("The order is refunded; its places are free again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("events:attendees", slug=slug, event_slug=event_slug)


def _csv_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def attendees_csv(request, slug, event_slug):
    event = _event(request, slug, event_slug)
    if not permissions.can_view_attendees(request.user, event):
        raise Http404
    buf = io.StringIO()
    w = csv.writer(buf)
    questions = sorted({q for t in event.ticket_types.all() for q in t.questions})
    w.writerow(["name", "email", "ticket_type", "checked_in_at", *questions])
    for t in selectors.event_attendees(event):
        w.writerow(
            [
                _csv_safe(t.attendee_name),
                selectors.attendee_email(t),
                _csv_safe(t.ticket_type.name),
                t.checked_in_at.isoformat() if t.checked_in_at else "",
                *[_csv_safe(t.answers.get(q, "")) for q in questions],
            ]
        )
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    return response
