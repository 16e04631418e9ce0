"""Check-in at the door: one conditional UPDATE per ticket, so two doors scanning the same code at the same
moment cannot both let it in — the database row decides, one succeeds, the other is told when and by whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opencity.core.errors import PermissionDenied
from opencity.events import permissions
from opencity.events.models import CODE_ALPHABET, Event, Order, Ticket

VALID, USED, UNKNOWN = "valid", "used", "unknown"


@dataclass
class CheckInResult:
    outcome: str  # valid / used / unknown
    ticket: Ticket | None = None


def normalise_code(raw: str) -> str:
    """Codes are typed at the door: ignore case, spaces and dashes; a QR code may carry a URL ending in it."""
    text = (raw or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in text.upper() if ch not in " -")[:40]


def ticket_check_in(*, event: Event, code: str, by, door: str = "", at=None) -> CheckInResult:
    """`at` is for recording arrivals after the fact (the demo's past events); the door uses now."""
    if not permissions.can_check_in(by, event):
        raise PermissionDenied()
    code = normalise_code(code)
    if not code or any(ch not in CODE_ALPHABET for ch in code):
        return CheckInResult(UNKNOWN)
    pk = (
        Ticket.objects.filter(event=event, code=code, order__status=Order.Status.CONFIRMED)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return CheckInResult(UNKNOWN)
    # A WHERE on the ticket's own columns only: a second door blocked on the row re-checks it after the first
    # commits (PostgreSQL re-evaluates the condition on the new row version) and updates nothing.
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=pk, checked_in_at__isnull=True).update(
            checked_in_at=at or timezone.now(), checked_in_by=by, door=door[:60]
        )
    ticket = Ticket.objects.select_related("ticket_type", "checked_in_by").get(pk=pk)
    return CheckInResult(VALID if changed == 1 else USED, ticket)


def arrivals(event: Event) -> tuple[int, int]:
    """(checked in, confirmed tickets)."""
    tickets = Ticket.objects.filter(event=event, order__status=Order.Status.CONFIRMED)
    return tickets.filter(checked_in_at__isnull=False).count(), tickets.count()
