"""Stripe webhooks: verify, store once by event id, then hand the event to the handler registered for its type.

What an event means for our records (a contribution paid, refunded, disputed) is decided by the handlers the
owning app registers in `payments.pipeline`; this module knows only Stripe and its own WebhookEvent rows.
Idempotency: the event row is unique per id and is marked processed once.
"""

from __future__ import annotations

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from opencity.payments import pipeline, stripe_api
from opencity.payments.models import WebhookEvent


class BadSignature(Exception):
    pass


def verify(payload: bytes, signature: str):
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BadSignature("no webhook secret configured")
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc


def event_store(event) -> WebhookEvent:
    """The one row for this event id (created on first delivery; later deliveries are counted)."""
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                processor="stripe", event_id=event["id"], type=event["type"], payload=event
            )
    except IntegrityError:
        WebhookEvent.objects.filter(processor="stripe", event_id=event["id"]).update(deliveries=F("deliveries") + 1)
        return WebhookEvent.objects.get(processor="stripe", event_id=event["id"])


def handle(event) -> WebhookEvent:
    event = stripe_api.as_dict(event)
    row = event_store(event)
    if row.processed_at is not None:
        return row
    obj = event["data"]["object"]
    handler = pipeline.webhook_handler("stripe", event["type"])
    note = ""
    if handler is not None:
        try:
            note = handler(obj) or ""
        except pipeline.SettlementBlocked as exc:
            # e.g. Stripe already gave the money back but the collective has spent it: nothing is posted, the
            # host admins are told, and the event stays unprocessed (Stripe retries; once funds are added, the
            # next delivery posts it).
            message = str(exc.message)[:300]
            WebhookEvent.objects.filter(pk=row.pk).update(note=message)
            if row.note != message:
                pipeline.webhook_blocked("stripe", obj, event["type"])
            return row
        except pipeline.RetryLater as exc:
            WebhookEvent.objects.filter(pk=row.pk).update(note=str(exc)[:300])
            return row
    else:
        note = "ignored"
    WebhookEvent.objects.filter(pk=row.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), note=note[:300]
    )
    row.refresh_from_db()
    return row
