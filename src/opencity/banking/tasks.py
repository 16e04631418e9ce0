"""Background work of the bank: emails after commit, the daily standing-order and expiry checks."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def send_bank_email(*, kind: str, contribution_id: int | None = None, recurring_id: int | None = None) -> int:
    from opencity.banking import emails

    return emails.send(kind=kind, contribution_id=contribution_id, recurring_id=recurring_id)


@task()
def bank_daily() -> dict:
    """Daily: standing orders that stopped, pending bank transfers that expired."""
    from opencity.banking.standing_orders import pending_transfers_expire, standing_orders_check

    today = timezone.localdate()
    counts = standing_orders_check(today=today)
    counts["expired"] = pending_transfers_expire(today=today)
    return counts
