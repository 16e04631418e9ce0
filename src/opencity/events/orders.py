"""Orders: places are taken under row locks inside one transaction, held while payment is pending, and
confirmed when the payment pipeline says the money arrived.

Availability is computed under a lock (pretix's way): the order's ticket types are locked in id order
(`select_for_update`, so two buyers never deadlock), the places still taken are counted — confirmed
tickets, tickets of pending orders whose hold has not lapsed, places offered to the waiting list — and
only then are the tickets written. A lapsed hold frees its places by itself (it simply stops counting).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.community import services as community
from opencity.community.services import person_find_or_create
from opencity.contributions.models import Contribution
from opencity.contributions.services import contribution_create_for_purpose, idempotency_scope
from opencity.core.errors import NotFound, PermissionDenied
from opencity.events import permissions, registrations
from opencity.events.errors import InvalidOrder, SoldOut
from opencity.events.models import CODE_ALPHABET, CODE_LENGTH, Event, Order, OrderEvent, Ticket, TicketType
from opencity.events.models import WaitingListEntry as WL
from opencity.payments import pipeline, providers

OS = Order.Status
CARD_HOLD = dt.timedelta(minutes=15)
MAX_TICKETS_PER_ORDER = 100


def new_ticket_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hold_for(payment_method: str, host) -> dt.timedelta:
    """How long places wait for a payment: the provider's own expiry for this host (a bank transfer's, in days)
    or 15 minutes (card)."""
    provider = providers.get(payment_method)
    expiry = getattr(provider, "expiry_days", None)
    days = expiry(host) if callable(expiry) else None
    return dt.timedelta(days=days) if days else CARD_HOLD


# --- availability ------------------------------------------------------------------------------------


def holding(now: dt.datetime) -> Q:
    """The tickets whose places are taken at `now` (a query on Ticket)."""
    return Q(order__status=OS.CONFIRMED) | Q(order__status=OS.PENDING, order__hold_expires_at__gt=now)


def places_taken(ticket_type_ids, *, now: dt.datetime | None = None, exclude_order=None) -> dict[int, int]:
    now = now or timezone.now()
    tickets = Ticket.objects.filter(holding(now), ticket_type_id__in=list(ticket_type_ids))
    if exclude_order is not None:
        tickets = tickets.exclude(order=exclude_order)
    taken = Counter(dict(tickets.values_list("ticket_type").annotate(n=Count("id")).values_list("ticket_type", "n")))
    offers = (
        WL.objects.filter(ticket_type_id__in=list(ticket_type_ids), status=WL.Status.OFFERED, offer_expires_at__gt=now)
        .values_list("ticket_type")
        .annotate(n=Count("id"))
        .values_list("ticket_type", "n")
    )
    taken.update(dict(offers))
    return dict(taken)


def _lock_types(ids) -> dict[int, TicketType]:
    return {t.pk: t for t in TicketType.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")}


# --- buying ------------------------------------------------------------------------------------------


@dataclass
class AttendeeIn:
    ticket_type: str  # public id
    name: str = ""
    email: str = ""
    answers: dict = field(default_factory=dict)


@dataclass
class OrderRequest:
    """What a buyer typed, untrusted; `order_create` validates it all."""

    attendees: list[AttendeeIn]
    email: str = ""
    name: str = ""
    payment_method: str = ""
    contact_consent: bool = False
    keep_informed: bool = False  # the unticked "keep me informed" box: a consent request, confirmed by email
    language: str = ""
    idempotency_token: str = ""
    offer_token: str = ""  # a waiting-list offer being taken up


def _invalid(message, code: str, field: str | None = None) -> InvalidOrder:
    return InvalidOrder(message, code=code, field=field)


def _valid_email(value: str, field: str) -> str:
    value = (value or "").strip()
    try:
        if len(value) > 254:
            raise ValidationError("too long")
        validate_email(value)
    except ValidationError:
        raise _invalid(_("Enter a valid email address."), "invalid_email", field) from None
    return value


def _validated(event: Event, data: OrderRequest, user, now) -> dict:
    if event.status != Event.Status.PUBLISHED or event.ends_at <= now or not event.collective.is_active:
        raise _invalid(_("This event is not taking registrations."), "event_closed")
    types = {t.public_id: t for t in event.ticket_types.all()}
    if not data.attendees:
        raise _invalid(_("Choose at least one ticket."), "quantity_zero", "quantity")
    if len(data.attendees) > MAX_TICKETS_PER_ORDER:
        raise _invalid(_("Too many tickets in one order."), "quantity_too_large", "quantity")
    wanted: Counter[int] = Counter()
    for a in data.attendees:
        t = types.get(a.ticket_type)
        if t is None:
            raise _invalid(_("This ticket type does not exist."), "unknown_ticket_type", "ticket_type")
        if not (a.name or "").strip():
            raise _invalid(_("Enter each attendee's name."), "attendee_name_required", "name")
        if a.email:
            _valid_email(a.email, "attendee_email")
        if not isinstance(a.answers, dict):
            raise _invalid(_("Answers are not valid."), "invalid_answers", "answers")
        wanted[t.pk] += 1
    by_pk = {t.pk: t for t in types.values()}
    for pk, n in wanted.items():
        t = by_pk[pk]
        if n > t.max_per_order:
            raise _invalid(
                _("At most %(n)s tickets of “%(name)s” per order.") % {"n": t.max_per_order, "name": t.name},
                "quantity_above_maximum",
                "quantity",
            )
        if (t.sales_start and now < t.sales_start) or (t.sales_end and now >= t.sales_end):
            raise _invalid(_("Tickets of “%(name)s” are not on sale now.") % {"name": t.name}, "not_on_sale")
    email = user.email if user is not None and user.is_authenticated else data.email
    if not (email or "").strip():
        raise _invalid(_("Enter your email address, so we can send your tickets."), "email_required", "email")
    email = _valid_email(email, "email")
    total = sum(by_pk[pk].price * n for pk, n in wanted.items())
    if total > 0:
        provider = providers.get(data.payment_method or "")
        if not provider.is_available(event.collective.host):
            raise _invalid(_("This payment method is not available."), "unknown_payment_method", "payment_method")
    return {"wanted": wanted, "by_pk": by_pk, "email": email, "total": total, "types": types}


def order_create(
    *, event: Event, data: OrderRequest, user=None, session_key: str = "", now: dt.datetime | None = None
) -> Order:
    """Take the places (or say "sold out") and write the order: CONFIRMED at once when free, else PENDING with
    a hold and a PENDING ticket payment. The same idempotency token twice from the same caller (user, browser
    session, or the email of an anonymous API call) gives the same order; from another caller, a new one."""
    now = now or timezone.now()
    token = (data.idempotency_token or "").strip()[:64] or None
    authed = user if user is not None and user.is_authenticated else None
    scope = idempotency_scope(user=authed, session_key=session_key, email=data.email)
    if token:
        existing = Order.objects.filter(idempotency_scope=scope, idempotency_token=token).first()
        if existing is not None:
            if existing.event_id != event.pk:
                raise _invalid(_("This form was already used."), "token_reused")
            return existing
    clean = _validated(event, data, user, now)
    try:
        with transaction.atomic():
            order = _order_write(
                event=event, data=data, clean=clean, authed=authed, token=token, scope=scope if token else "", now=now
            )
    except IntegrityError:
        if token:
            existing = Order.objects.filter(idempotency_scope=scope, idempotency_token=token).first()
            if existing is not None:
                return existing
        raise
    if order.status == OS.CONFIRMED:
        _send_tickets_after_commit(order)
    return order


def _order_write(*, event, data: OrderRequest, clean: dict, authed, token, scope: str, now) -> Order:
    wanted, total = clean["wanted"], clean["total"]
    locked = _lock_types(wanted)
    offer = _take_offer(data.offer_token, wanted, now) if data.offer_token else None
    taken = places_taken(wanted, now=now)
    for pk, n in wanted.items():
        left = locked[pk].quantity - taken.get(pk, 0) + (1 if offer is not None and offer.ticket_type_id == pk else 0)
        if n > left:
            raise SoldOut(
                _("Sold out: only %(left)s place(s) left for “%(name)s”.")
                % {"left": max(0, left), "name": locked[pk].name}
            )
    typed_name = (data.name or "").strip()[:200]
    person = getattr(authed, "person", None) if authed else None
    if person is None:
        # A guest's email proves nothing: their typed name names a new person, never an existing one.
        person = person_find_or_create(
            email=clean["email"],
            name=(typed_name or authed.name) if authed else "",
            new_name=typed_name,
            user=authed,
            language=data.language,
        )
    paid = total > 0
    order = Order.objects.create(
        event=event,
        person=person,
        status=OS.PENDING if paid else OS.CONFIRMED,
        total=total,
        currency=event.collective.currency,
        hold_expires_at=now + hold_for(data.payment_method, event.collective.host) if paid else None,
        contact_consent=bool(data.contact_consent),
        contact_consent_at=now if data.contact_consent else None,
        language=(data.language or "")[:8],
        idempotency_scope=scope,
        idempotency_token=token,
        created_by=authed,
        confirmed_at=None if paid else now,
    )
    OrderEvent.objects.create(order=order, to_status=order.status, by=authed, note="order")
    Ticket.objects.bulk_create(
        Ticket(
            order=order,
            ticket_type_id=clean["types"][a.ticket_type].pk,
            event=event,
            attendee_name=a.name.strip()[:200],
            attendee_email=(a.email or "").strip(),
            answers=_answers(clean["types"][a.ticket_type], a.answers),
            code=new_ticket_code(),
        )
        for a in data.attendees
    )
    if offer is not None:
        WL.objects.filter(pk=offer.pk).update(status=WL.Status.USED)
    host = event.collective.host
    if data.keep_informed:
        community.consent_request(
            person=person, host=host, wording=community.consent_wording(host), language=data.language or ""
        )
    if not paid:
        registrations.registrations_record(order)
    if paid:
        order.contribution = contribution_create_for_purpose(
            collective=event.collective,
            person=person,
            amount=total,
            purpose=Contribution.Purpose.TICKET,
            payment_method=data.payment_method,
            contributor_name=typed_name,
            language=data.language,
            by=authed,
        )
        order.save(update_fields=["contribution"])
    return order


def _answers(ticket_type: TicketType, answers: dict) -> dict:
    return {q: str(answers.get(q, ""))[:500] for q in ticket_type.questions}


def _take_offer(token: str, wanted, now) -> WL:
    offer = WL.objects.select_for_update().filter(offer_token=token, status=WL.Status.OFFERED).first()
    if offer is None or offer.offer_expires_at <= now or offer.ticket_type_id not in wanted:
        raise _invalid(_("This offer is no longer valid."), "offer_invalid")
    return offer


def order_start_payment(*, order: Order, request=None) -> providers.StartResult:
    """Hand the order's payment to its provider, after our rows are committed (the demo card settles at once)."""
    from opencity.contributions.services import contribution_start_payment

    return contribution_start_payment(contribution=order.contribution, request=request)


# --- what the payment pipeline tells us --------------------------------------------------------------


def _set_status(order: Order, to: str, *, by=None, note: str = "") -> None:
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=to, by=by, note=note[:300])
    order.status = to


def _on_paid(contribution) -> None:
    order = Order.objects.select_for_update().filter(contribution=contribution).first()
    if order is None or order.status in (OS.CONFIRMED, OS.REFUNDED):
        return
    now = timezone.now()
    if order.status == OS.PENDING and order.hold_expires_at and order.hold_expires_at > now:
        _confirm(order, now)
        return
    # Paid after the hold lapsed: keep the places if they are still free, else an admin refunds the payment.
    wanted = Counter(order.tickets.values_list("ticket_type_id", flat=True))
    locked = _lock_types(wanted)
    taken = places_taken(wanted, now=now, exclude_order=order)
    if all(n <= locked[pk].quantity - taken.get(pk, 0) for pk, n in wanted.items()):
        _confirm(order, now)
    else:
        order.needs_refund = True
        if order.status == OS.PENDING:
            _set_status(order, OS.EXPIRED, note="paid after the hold lapsed; no places left")
        order.save(update_fields=["needs_refund", "status"])


def _confirm(order: Order, now) -> None:
    _set_status(order, OS.CONFIRMED, note=order.contribution.public_id if order.contribution_id else "")
    order.confirmed_at = now
    order.save(update_fields=["status", "confirmed_at"])
    registrations.registrations_record(order)
    _send_tickets_after_commit(order)


def _on_expired(contribution) -> None:
    order = Order.objects.select_for_update().filter(contribution=contribution).first()
    if order is not None and order.status == OS.PENDING:
        _set_status(order, OS.EXPIRED, note="payment not completed")
        order.save(update_fields=["status"])
        _offer_freed_places_after_commit(order.event_id)


def _on_refunded(contribution, amount: int) -> None:
    order = Order.objects.select_for_update().filter(contribution=contribution).first()
    if order is None or contribution.amount_refunded < contribution.amount:
        return  # a partial refund gives money back but keeps the tickets
    if order.status != OS.REFUNDED:
        was_confirmed = order.status == OS.CONFIRMED
        _set_status(order, OS.REFUNDED, note=f"refunded {amount}")
        order.needs_refund = False
        order.save(update_fields=["status", "needs_refund"])
        if was_confirmed:
            _offer_freed_places_after_commit(order.event_id)


def _describe(contribution) -> str:
    order = Order.objects.filter(contribution=contribution).select_related("event").first()
    return order.event.title if order is not None else ""  # what people typed; the sentence is ledger/phrases


def _return_url(contribution) -> str:
    order = Order.objects.filter(contribution=contribution).select_related("event__collective").first()
    return order_url(order) if order is not None else ""


def order_url(order: Order) -> str:
    from django.urls import reverse

    return reverse("events:order", args=[order.event.collective.slug, order.event.slug, order.public_id])


def register_purpose() -> None:
    pipeline.register_purpose(
        Contribution.Purpose.TICKET,
        paid=_on_paid,
        refunded=_on_refunded,
        expired=_on_expired,
        return_url=_return_url,
        cancel_url=_return_url,
        describe=_describe,
    )


# --- refunds and lapsed holds ------------------------------------------------------------------------


def order_refund(*, order: Order, by) -> Order:
    """An admin cancels an order: a paid one is refunded through the contribution pipeline (reversal in the
    ledger, the payment pipeline then tells us), a free one simply gives its places back."""
    payment = Contribution.objects.filter(pk=order.contribution_id).first() if order.contribution_id else None
    paid = payment is not None and payment.journal_id is not None
    if not (permissions.can_refund_order(by, order) if paid else permissions.can_cancel_order(by, order)):
        raise PermissionDenied()
    if paid:
        from opencity.contributions.refunds import contribution_refund

        # The event's admins decided (can_refund_order asks for a fresh second factor). The public line says
        # "Refund — <event title>": words people typed, never an internal id.
        contribution_refund(contribution=payment, by=by, reason=order.event.title, system=True)
        order.refresh_from_db()
        return order
    with transaction.atomic():
        o = Order.objects.select_for_update().get(pk=order.pk)
        if o.status in (OS.CONFIRMED, OS.PENDING):
            _set_status(o, OS.REFUNDED, by=by, note="cancelled by an admin")
            o.save(update_fields=["status"])
            _offer_freed_places_after_commit(o.event_id)
    return o


def holds_release(*, now: dt.datetime | None = None) -> int:
    """Mark pending orders whose hold lapsed as EXPIRED (their places already stopped counting) and offer the
    freed places to the waiting lists. Idempotent; run every minute by the worker."""
    now = now or timezone.now()
    released = 0
    for pk in Order.objects.filter(status=OS.PENDING, hold_expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            o = Order.objects.select_for_update().get(pk=pk)
            if o.status == OS.PENDING and o.hold_expires_at <= now:
                _set_status(o, OS.EXPIRED, note="hold lapsed")
                o.save(update_fields=["status"])
                released += 1
                _offer_freed_places_after_commit(o.event_id)
    return released


def _offer_freed_places_after_commit(event_id: int) -> None:
    from opencity.events.waiting import waiting_list_offer

    transaction.on_commit(lambda: waiting_list_offer(event_id=event_id))


# The demo seeder turns ticket emails off: its people are not real and the queue would mail them later.
emails_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("ticket_emails_enabled", default=True)


def _send_tickets_after_commit(order: Order) -> None:
    from opencity.events.tasks import send_tickets

    if not emails_enabled.get():
        return
    pk = order.pk
    transaction.on_commit(lambda: send_tickets.enqueue(order_id=pk))


def order_by_public_id(public_id: str) -> Order:
    order = Order.objects.select_related("event__collective", "contribution").filter(public_id=public_id).first()
    if order is None:
        raise NotFound()
    return order
