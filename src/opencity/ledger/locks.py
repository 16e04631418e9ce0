"""The one way the ledger locks accounts: in id order, `FOR NO KEY UPDATE` where the database has it (never
blocks other journals' foreign-key checks, never deadlocks). Used by post_journal's portable path and by the
set-based bulk path."""

from __future__ import annotations

from django.db import connection

from opencity.ledger.errors import LedgerError
from opencity.ledger.models import Account


def lock_accounts(ids: list[int]) -> list[tuple[int, int, int, bool]]:
    """(pk, debits_posted, credits_posted, guarded) of every account in `ids`, locked; LedgerError if one is missing."""
    locked = list(
        Account.objects.select_for_update(no_key=connection.features.has_select_for_no_key_update)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "debits_posted", "credits_posted", "debits_must_not_exceed_credits")
    )
    if len(locked) != len(ids):
        raise LedgerError("unknown account")
    return locked
