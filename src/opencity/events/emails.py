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
    event = order.event
    tickets = list(order.tickets.select_related("ticket_type"))
    with translation.override(_language(order.language, order.person)):
        subject = _("Your tickets — %(event)s") % {"event": event.title}
        body = render_to_string(
            "events/email/tickets.txt",
            {"order": order, "event": event, "tickets": tickets, "url": event_url(event)},
        )
    message = EmailMessage(subject=subject, body=body, to=[order.person.email])
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
