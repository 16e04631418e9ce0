"""Background work: receipts, membership follow-up, exchange rates. `opencity worker` runs them."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_receipt(*, contribution_id: int) -> int:
    from opencity.contributions import emails
    from opencity.contributions.models import Contribution
    from opencity.contributions.receipts import contribution_number_receipt

    c = Contribution.objects.select_related("collective__host__profile", "person__user", "recurring").get(
        pk=contribution_id
    )
    if not contribution_number_receipt(contribution=c):
        return 0  # numbering failed again: receipts_retry sends it once numbered
    return emails.send_receipt(c)


@task()
def receipts_retry() -> int:
    """Daily: number the settled contributions whose numbering failed, and send their receipts."""
    from opencity.contributions.receipts import receipts_number_missing

    return receipts_number_missing()


@task()
def send_recurring_email(*, recurring_id: int, kind: str) -> int:
    from opencity.contributions import emails
    from opencity.contributions.models import RecurringContribution

    r = RecurringContribution.objects.select_related("collective__host", "person__user").get(pk=recurring_id)
    return {"past_due": emails.send_past_due, "cancelled": emails.send_cancelled}[kind](r)


@task()
def send_refund_blocked(*, contribution_id: int, event_type: str) -> int:
    from opencity.contributions import emails
    from opencity.contributions.models import Contribution

    c = Contribution.objects.select_related("collective__host").get(pk=contribution_id)
    return emails.send_refund_blocked(c, event_type)


@task()
def memberships_check() -> dict:
    """Daily: renew due demo memberships, mark overdue ones past due, lapse those past the grace period."""
    from opencity.contributions.recurring import memberships_check as run

    return run(today=timezone.localdate())


@task()
def rates_refresh() -> int:
    """Daily: fetch the ECB reference rates; on any failure keep what we have (or the shipped copy)."""
    from opencity.contributions import rates

    try:
        date, values = rates.rates_fetch()
    except Exception as exc:  # noqa: BLE001 - offline or ECB down: the previous rates stay in use
        logger.warning("ECB rates not refreshed: %s", exc)
        return 0
    return rates.rates_store(date, values)
