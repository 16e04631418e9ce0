"""Memberships paid by standing order, and pending bank transfers that never came.

A standing order stops silently at the member's bank; we only see that the credit is missing. One month
missed (after the host's grace period): past due, a friendly reminder. A second one: lapsed. A later credit
with the membership's communication revives it (matching.py). Pending bank-transfer contributions expire
after the host's number of days, with an email; a late payment still matches and settles them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opencity.contributions.models import Contribution, RecurringContribution
from opencity.contributions.settlement import add_interval, recurring_set_status

PROCESSOR = "bank_transfer"
RS = RecurringContribution.Status
LAPSED = "lapsed: standing order stopped"


def _email(kind: str, **ids) -> None:
    from opencity.banking.tasks import send_bank_email

    transaction.on_commit(lambda: send_bank_email.enqueue(kind=kind, **ids))


def recurring_revive(*, recurring: RecurringContribution, note: str = "") -> RecurringContribution:
    """A credit arrived for a membership that had lapsed because its standing order stopped: live again."""
    r = RecurringContribution.objects.select_for_update().get(pk=recurring.pk)
    if r.status == RS.CANCELLED and r.cancel_reason == LAPSED:
        recurring_set_status(r, RS.ACTIVE, note=f"standing order resumed {note}".strip())
        r.cancelled_at = None
        r.cancel_reason = ""
        r.past_due_since = None
        r.save()
    return r


def standing_orders_check(*, today: dt.date) -> dict:
    """Daily: memberships by standing order whose expected credit is missing become past due, then lapse."""
    counts = {"past_due": 0, "lapsed": 0}
    live = RecurringContribution.objects.filter(
        payment_method=PROCESSOR, status__in=[RS.ACTIVE, RS.PAST_DUE], next_expected_date__isnull=False
    ).select_related("collective__host")
    for r in live:
        grace = dt.timedelta(days=r.collective.host.membership_grace_days)
        first_missed = r.next_expected_date + grace
        second_missed = add_interval(r.next_expected_date, r.interval) + grace
        with transaction.atomic():
            locked = RecurringContribution.objects.select_for_update().get(pk=r.pk)
            if locked.status not in (RS.ACTIVE, RS.PAST_DUE) or locked.next_expected_date != r.next_expected_date:
                continue
            if today >= second_missed:
                recurring_set_status(locked, RS.CANCELLED, note=LAPSED)
                locked.cancelled_at = timezone.now()
                locked.cancel_reason = LAPSED
                locked.save()
                counts["lapsed"] += 1
                _email("lapsed", recurring_id=locked.pk)
            elif today >= first_missed and locked.status == RS.ACTIVE:
                recurring_set_status(locked, RS.PAST_DUE, note="standing order credit missing")
                locked.past_due_since = today
                locked.save()
                counts["past_due"] += 1
                _email("standing_order_missed", recurring_id=locked.pk)
    return counts


def pending_transfers_expire(*, today: dt.date) -> int:
    """Pending bank-transfer contributions older than the host's limit are cancelled (expired), with an email."""
    from opencity.contributions.settlement import contribution_mark_cancelled

    n = 0
    pending = Contribution.objects.filter(payment_method=PROCESSOR, status=Contribution.Status.PENDING).select_related(
        "collective__host"
    )
    for c in pending.iterator():
        limit = c.created_at + dt.timedelta(days=c.collective.host.bank_transfer_expiry_days)
        if timezone.localdate(limit) > today:
            continue
        with transaction.atomic():
            c = contribution_mark_cancelled(contribution=c, note="expired: no bank transfer received")
            if c.status == Contribution.Status.CANCELLED:
                n += 1
                _email("expired", contribution_id=c.pk)
    return n
