"""Emails to attendees, in their language: the tickets (a QR code each, and the event as an .ics), and
waiting-list offers. Sent from tasks, after commit."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opencity.events.ics import event_ics, event_url


def _language(order_language: str, person) -> str:
    lang = order_language or person.language or "en"
    return lang if lang in dict(settings.LANGUAGES) else "en"


def qr_png(code: str) -> bytes:
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def send_tickets(order) -> int:
    """The buyer gets every ticket; an attendee with their own address gets theirs. Whoever's address is not
    proven yet also gets the "this was me" link that adds the registration to their community history."""
    from opencity.events import registrations

    groups = registrations.attendee_groups(order)
    proven = registrations.proven_email(order)
    buyer = order.person.email.lower()
    everyone = [t for tickets in groups.values() for t in tickets]
    sent = 0
    for email, tickets in [(buyer, everyone)] + [(e, ts) for e, ts in groups.items() if e != buyer]:
        confirm_url = ""
        if email in groups and email != proven:
            token = registrations.confirm_token(order, email)
            confirm_url = settings.SITE_URL + reverse("events:registration_confirm", args=[order.public_id, token])
        sent += _send_tickets_to(order, email, tickets, confirm_url)
    return sent


def _send_tickets_to(order, email: str, tickets: list, confirm_url: str) -> int:
    event = order.event
    with translation.override(_language(order.language, order.person)):
        subject = _("Your tickets — %(event)s") % {"event": event.title}
        body = render_to_string(
            "events/email/tickets.txt",
            {
                "order": order,
                "event": event,
                "tickets": tickets,
                "url": event_url(event),
                "confirm_url": confirm_url,
                "greet": (order.person.name or email)
                if email == order.person.email.lower()
                else tickets[0].attendee_name,
                "host": event.collective.host,
            },
        )
    message = EmailMessage(subject=subject, body=body, to=[email])
    for t in tickets:
        message.attach(f"ticket-{t.code}.png", qr_png(t.code), "image/png")
    message.attach(f"{event.slug}.ics", event_ics(event), "text/calendar")
    return message.send()


def send_offer(entry) -> int:
    t = entry.ticket_type
    event = t.event
    link = settings.SITE_URL + reverse("events:detail", args=[event.collective.slug, event.slug])
    with translation.override(_language("", entry.person)):
        subject = _("A place is free for you — %(event)s") % {"event": event.title}
        body = render_to_string(
            "events/email/offer.txt",
            {"entry": entry, "event": event, "ticket_type": t, "url": f"{link}?offer={entry.offer_token}"},
        )
    return EmailMessage(subject=subject, body=body, to=[entry.person.email]).send()
