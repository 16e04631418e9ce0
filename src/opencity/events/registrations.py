"""Ticket registrations grow the host's community database (issue 13), proven emails only.

A confirmed order records one `registration` interaction per attendee person (`source_ref` = the order, so a
payment told twice records once). Whose email is proven: the signed-in buyer's own account address. Any other
address — a guest's, or an attendee's typed by the buyer — gets a person found or created by email, but the
registration joins that person's history only once the mailbox owner follows the signed "this was me" link
in their ticket email (issue 8's guest rule: an unverified email never joins a known person's identity).
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opencity.community import services as community
from opencity.community.models import InteractionKind
from opencity.events.errors import InvalidOrder
from opencity.events.models import Order

SALT = "opencity.events.registration"


def _email_of(ticket, order: Order) -> str:
    return (ticket.attendee_email or order.person.email).strip().lower()


def attendee_groups(order: Order) -> dict[str, list]:
    """The order's tickets by the address that receives them (the buyer's address first)."""
    groups: dict[str, list] = {order.person.email.lower(): []}
    for t in order.tickets.select_related("ticket_type").order_by("pk"):
        groups.setdefault(_email_of(t, order), []).append(t)
    return {email: tickets for email, tickets in groups.items() if tickets}


def proven_email(order: Order) -> str:
    user = order.created_by
    if user is None or not user.is_active or not user.email_confirmed:
        return ""
    return user.email.strip().lower()


def _record(order: Order, person) -> None:
    event = order.event
    community.interaction_record(
        person=person,
        host=event.collective.host,
        collective=event.collective,
        kind=InteractionKind.REGISTRATION,
        source_ref=order.public_id,
        event_ref=event.public_id,
        at=order.confirmed_at,
    )


def registrations_record(order: Order) -> None:
    """Called when an order is confirmed (in its transaction). Idempotent."""
    proven = proven_email(order)
    for email, tickets in attendee_groups(order).items():
        if email == proven:
            person = order.person if order.person.email.lower() == email else None
            person = person or community.person_find_or_create(email=email, user=order.created_by)
            _record(order, person)
        else:
            # Found or created by email, but nothing of this registration touches the person until proven.
            community.person_find_or_create(email=email, new_name=tickets[0].attendee_name, language=order.language)


def confirm_token(order: Order, email: str) -> str:
    return signing.dumps([order.public_id, email.strip().lower()], salt=SALT)


def read_token(order: Order, token: str) -> str | None:
    """The address the token was sent to, if it is one of this order's (else None)."""
    try:
        public_id, email = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if public_id != order.public_id or email not in attendee_groups(order):
        return None
    return email


@transaction.atomic
def registration_confirm(*, order: Order, token: str) -> None:
    """The mailbox owner says "this was me": the registration joins their community history. Twice is once."""
    email = read_token(order, token)
    if email is None or order.status != Order.Status.CONFIRMED:
        raise InvalidOrder(_("This confirmation link is not valid."), code="invalid_link", field="token")
    # Proven now; still, the name on the ticket was typed by the buyer, so it never names a known person.
    _record(order, community.person_find_or_create(email=email))
