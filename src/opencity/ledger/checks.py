"""Every ledger invariant as a handful of aggregate queries (fast on millions of transfers)."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, F, Q, Sum

from opencity.ledger.models import Account, AccountKind, Journal, Transfer
from opencity.ledger.rollups import rollup_differences
from opencity.ledger.stripes import striped_totals

MAX_DETAILS = 20


def ledger_breaches() -> tuple[list[str], dict]:
    """(breaches, counts). An empty list means the books are whole."""
    breaches: list[str] = []

    def note(kind: str, rows) -> None:
        for row in list(rows)[:MAX_DETAILS]:
            breaches.append(f"{kind}: {row}")

    # Every journal has at least one transfer.
    note(
        "journal without transfers", Journal.objects.filter(transfers__isnull=True).values_list("public_id", flat=True)
    )
    # One currency per journal, the host's, and every account of a journal belongs to the journal's host.
    note(
        "journal with several currencies",
        Transfer.objects.values("journal_id")
        .annotate(n=Count("currency", distinct=True))
        .filter(n__gt=1)
        .values_list("journal__public_id", flat=True),
    )
    note(
        "transfer outside its journal's host or currency",
        Transfer.objects.filter(
            ~Q(debit_account__host_id=F("journal__host_id"))
            | ~Q(credit_account__host_id=F("journal__host_id"))
            | ~Q(currency=F("journal__host__currency"))
            | ~Q(debit_account__currency=F("currency"))
            | ~Q(credit_account__currency=F("currency"))
        ).values_list("idempotency_key", flat=True),
    )
    # Cached totals equal the sums of transfers; guarded accounts are never below zero.
    debit_sums = dict(Transfer.objects.order_by().values_list("debit_account").annotate(s=Sum("amount")))
    credit_sums = dict(Transfer.objects.order_by().values_list("credit_account").annotate(s=Sum("amount")))
    per_host: dict[tuple[int, str], int] = defaultdict(int)
    accounts = 0
    rows = Account.objects.order_by("pk").values_list(
        "pk", "host_id", "currency", "kind", "debits_posted", "credits_posted", "debits_must_not_exceed_credits"
    )
    stripes = striped_totals()  # a host's own accounts: row + stripes (ledger/stripes.py)
    for pk, host_id, currency, kind, debits, credits, guarded in rows.iterator(chunk_size=5000):
        accounts += 1
        if pk in stripes:
            if guarded:
                breaches.append(f"striped: account {pk} ({kind}) is guarded, so never posted in stripes")
            debits, credits = debits + stripes[pk][0], credits + stripes[pk][1]
        if debits != debit_sums.get(pk, 0) or credits != credit_sums.get(pk, 0):
            breaches.append(
                f"cached totals differ: account {pk} ({kind}) has debits {debits} / credits {credits}, "
                f"transfers say {debit_sums.get(pk, 0)} / {credit_sums.get(pk, 0)}"
            )
        # By kind, not by the account's flag: a collective's funds are never below zero, whether one reads
        # the cached totals or sums the transfers (a transfer inserted by hand shows up in the second).
        summed = credit_sums.get(pk, 0) - debit_sums.get(pk, 0)
        if (kind == AccountKind.COLLECTIVE_FUNDS or guarded) and min(credits - debits, summed) < 0:
            breaches.append(f"below zero: account {pk} ({kind}) balance {credits - debits}, by its transfers {summed}")
        per_host[(host_id, currency)] += credits - debits
    # Double entry: the balances of a host's accounts add up to zero.
    for (host_id, currency), total in sorted(per_host.items()):
        if total != 0:
            breaches.append(f"host {host_id} {currency}: balances add up to {total}, not 0")
    # The monthly rollups (derived data kept by triggers) equal the sums of the transfers.
    breaches.extend(rollup_differences(connection, limit=MAX_DETAILS))
    counts = {"accounts": accounts, "journals": Journal.objects.count(), "transfers": Transfer.objects.count()}
    return breaches, counts
