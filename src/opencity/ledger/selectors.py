"""Reads of the host's books for host admins and accountants: general ledger, balances at a date."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet, Sum

from opencity.ledger.models import Account, AccountKind, Journal, MonthlyRollup, Transfer, TransferKind
from opencity.money import Money


def account_code(acc: Account) -> str:
    """A stable, readable account code for accountants: `funds:<slug>`, `clearing:stripe`, `host_fees`."""
    if acc.collective_id:
        return f"{acc.kind}:{acc.collective.slug}"
    return f"{acc.kind}:{acc.processor}" if acc.processor else acc.kind


def host_accounts(host) -> QuerySet[Account]:
    return (
        Account.objects.filter(host=host)
        .with_stripes()
        .select_related("collective")
        .order_by("kind", "processor", "pk")
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _sums_by_account(qs, field: str, amount: str) -> dict[int, int]:
    return dict(qs.order_by().values_list(field).annotate(s=Sum(amount)))


def balances_at(host, at: dt.date) -> list[dict]:
    """Every account of the host with its debits, credits and balance from transfers dated up to `at`.

    Computed from the transfers (not the cached totals), so it agrees with the general ledger: the monthly
    rollups of the months before `at`'s month, plus that month's transfers up to `at` (a bounded read
    whatever the history). For a date on or after the last entry it equals the cached balances (a test
    ties them out).
    """
    month = at.replace(day=1)
    debits: dict[int, int] = {}
    credits: dict[int, int] = {}
    before = MonthlyRollup.objects.filter(account__host=host, month__lt=month).order_by().values_list("account")
    for pk, d, c in before.annotate(d=Sum("debits"), c=Sum("credits")):
        debits[pk], credits[pk] = d, c
    this_month = Transfer.objects.filter(effective_date__gte=month, effective_date__lte=at)
    for pk, amount in _sums_by_account(this_month.filter(debit_account__host=host), "debit_account", "amount").items():
        debits[pk] = debits.get(pk, 0) + amount
    for pk, amount in _sums_by_account(
        this_month.filter(credit_account__host=host), "credit_account", "amount"
    ).items():
        credits[pk] = credits.get(pk, 0) + amount
    out = []
    for acc in host_accounts(host):
        d, c = debits.get(acc.pk, 0), credits.get(acc.pk, 0)
        out.append(
            {
                "account": acc,
                "code": account_code(acc),
                "kind": acc.kind,
                "kind_label": acc.get_kind_display(),
                "collective": acc.collective,
                "debits": d,
                "credits": c,
                "balance": c - d,
                "cached_balance": acc.balance,
                "currency": acc.currency,
            }
        )
    return out


def stream_balances(rows: list[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        ["account", "kind", "collective", "debits", "credits", "balance", "currency", "balance_minor"]
    )
    for r in rows:
        yield writer.writerow(
            [
                r["code"],
                r["kind"],
                _cell(r["collective"].name) if r["collective"] else "",
                r["debits"],
                r["credits"],
                str(Money(r["balance"], r["currency"]).as_decimal()),
                r["currency"],
                r["balance"],
            ]
        )


def added_funds_entries(host, limit: int = 50) -> list[Journal]:
    """Latest added-funds journals of the host with what each was for and whether it was reversed."""
    return list(
        Journal.objects.filter(host=host, kind=TransferKind.ADDED_FUNDS, reverses__isnull=True)
        .select_related("reversed_by", "created_by")
        .prefetch_related("transfers__credit_account__collective")
        .order_by("-effective_date", "-pk")[:limit]
    )


def funds_collective(journal: Journal):
    """The collective credited by an added-funds journal (from prefetched transfers)."""
    for t in journal.transfers.all():
        if t.credit_account.kind == AccountKind.COLLECTIVE_FUNDS:
            return t.credit_account.collective
    return None


def funds_balance(collective) -> int:
    """The collective's balance: one row read (0 before approval)."""
    acc = Account.objects.filter(collective=collective, kind=AccountKind.COLLECTIVE_FUNDS).first()
    return acc.balance if acc else 0
