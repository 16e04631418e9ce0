"""Waiting lists: when a sold-out ticket type frees a place, the first person waiting gets a time-limited
offer (its place is held for them: an open offer counts as taken), by email, with a link to buy it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.community.services import person_find_or_create
from opencity.events.errors import InvalidOrder
from opencity.events.models import Event, TicketType
from opencity.events.models import WaitingListEntry as WL

OFFER_VALID = dt.timedelta(hours=24)


def waiting_list_join(*, ticket_type: TicketType, email: str, name: str, language: str = "") -> WL:
    """Join once (a second time returns the same entry)."""
    from opencity.events.orders import _valid_email

    email = _valid_email(email, "email")
    if not (name or "").strip():
        raise InvalidOrder(_("Enter your name."), code="name_required", field="name")
    with transaction.atomic():
        person = person_find_or_create(email=email, new_name=name.strip()[:200], language=language)
        entry, _created = WL.objects.get_or_create(
            ticket_type=ticket_type, person=person, defaults={"name": name.strip()[:200]}
        )
    return entry


def waiting_list_offer(*, event_id: int, now: dt.datetime | None = None) -> int:
    """Lapse old offers, then offer each free place to the next person waiting. Returns offers made."""
    from opencity.events.orders import _lock_types, places_taken

    now = now or timezone.now()
    made = []
    with transaction.atomic():
        ids = list(TicketType.objects.filter(event_id=event_id).values_list("pk", flat=True))
        if not ids or not WL.objects.filter(ticket_type_id__in=ids).exclude(status=WL.Status.USED).exists():
            return 0
        locked = _lock_types(ids)
        WL.objects.filter(ticket_type_id__in=ids, status=WL.Status.OFFERED, offer_expires_at__lte=now).update(
            status=WL.Status.LAPSED
        )
        if Event.objects.filter(pk=event_id, ends_at__lte=now).exists():
            return 0
        taken = places_taken(ids, now=now)
        for pk, t in locked.items():
            free = t.quantity - taken.get(pk, 0)
            for entry in WL.objects.filter(ticket_type_id=pk, status=WL.Status.WAITING)[: max(0, free)]:
                entry.status = WL.Status.OFFERED
                entry.offer_token = secrets.token_urlsafe(24)
                entry.offer_expires_at = now + OFFER_VALID
                entry.save(update_fields=["status", "offer_token", "offer_expires_at"])
                made.append(entry.pk)
    from opencity.events.orders import emails_enabled

    if made and emails_enabled.get():
        from opencity.events.tasks import send_offer

        for pk in made:
            send_offer.enqueue(entry_id=pk)
    return len(made)
