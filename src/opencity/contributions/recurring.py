"""Membership lifecycle: active → past due (failed renewal, email) → cancelled (after the grace period),
or cancelled by the contributor (token link or account), a collective admin or a host admin."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.contributions import permissions
from opencity.contributions.models import RecurringContribution
from opencity.contributions.settlement import recurring_set_status
from opencity.core.errors import NotFound, PermissionDenied

RS = RecurringContribution.Status


def _email_after_commit(recurring: RecurringContribution, kind: str) -> None:
    from opencity.contributions.tasks import send_recurring_email

    pk = recurring.pk
    transaction.on_commit(lambda: send_recurring_email.enqueue(recurring_id=pk, kind=kind))


def recurring_cancel(
    *, recurring: RecurringContribution, by=None, token: str = "", reason: str = "", at_processor: bool = True
) -> RecurringContribution:
    """Stop a membership. Allowed with its secret token (link in every receipt) or for its owner and admins."""
    from opencity.payments import providers

    if token:
        if token != recurring.cancel_token:
            raise NotFound()
    elif by is not None and not permissions.can_cancel_recurring(by, recurring):
        raise PermissionDenied()
    r = RecurringContribution.objects.get(pk=recurring.pk)
    if r.status == RS.CANCELLED:
        return r
    if at_processor:
        # Outside any transaction: no lock is held while the processor answers (cancelling twice is harmless).
        providers.get(r.payment_method).cancel_recurring(r)
    with transaction.atomic():
        r = RecurringContribution.objects.select_for_update(of=("self",)).select_related("collective").get(pk=r.pk)
        if r.status == RS.CANCELLED:
            return r
        recurring_set_status(r, RS.CANCELLED, by=by if by is not None and by.is_authenticated else None, note=reason)
        r.cancelled_at = timezone.now()
        r.cancel_reason = (reason or "")[:200]
        r.next_expected_date = None
        r.save()
        _email_after_commit(r, "cancelled")
    return r


def recurring_mark_past_due(*, recurring: RecurringContribution, note: str = "", today: dt.date | None = None):
    with transaction.atomic():
        r = RecurringContribution.objects.select_for_update().get(pk=recurring.pk)
        if r.status != RS.ACTIVE:
            return r
        recurring_set_status(r, RS.PAST_DUE, note=note or str(_("renewal failed")))
        r.past_due_since = today or timezone.localdate()
        r.save(update_fields=["status", "past_due_since"])
        _email_after_commit(r, "past_due")
    return r


def memberships_check(*, today: dt.date) -> dict:
    """Renew due demo memberships; a membership unpaid a day after its date is past due; past due longer than
    the host's grace period lapses (cancelled). Stripe memberships renew through invoice.paid webhooks."""
    from opencity.payments import providers

    counts = {"renewed": 0, "past_due": 0, "lapsed": 0}
    due = RecurringContribution.objects.filter(status=RS.ACTIVE, next_expected_date__lte=today).select_related(
        "collective__host"
    )
    for r in due:
        provider = providers.get(r.payment_method)
        if provider.follows_own_schedule:
            continue  # e.g. a standing order: the bank's daily check decides (banking/standing_orders.py)
        if hasattr(provider, "charge_renewal") and provider.is_available(r.collective.host):
            provider.charge_renewal(r, effective_date=r.next_expected_date)
            counts["renewed"] += 1
        elif r.next_expected_date < today - dt.timedelta(days=1):
            recurring_mark_past_due(recurring=r, today=today)
            counts["past_due"] += 1
    for r in RecurringContribution.objects.filter(status=RS.PAST_DUE).select_related("collective__host"):
        if providers.get(r.payment_method).follows_own_schedule:
            continue
        since = r.past_due_since or today
        if since + dt.timedelta(days=r.collective.host.membership_grace_days) <= today:
            recurring_cancel(recurring=r, reason="lapsed: unpaid after the grace period")
            counts["lapsed"] += 1
    return counts
