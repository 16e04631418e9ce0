"""Public money reads shared by pages, the API and exports: totals, monthly flows, statements.

Balances are one row read (the funds account's cached totals); the other totals are one aggregate
query over the account's transfers, served by the (account, effective_date) indexes.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from opencity.hosting.models import Collective
from opencity.ledger.models import Account, AccountKind, Transfer, TransferKind


def _sum(q: Q):
    return Coalesce(Sum("amount", filter=q), 0)


def _raised_spent(funds: Account, since: dt.date | None = None) -> dict:
    """Gross money in and out of `funds`, reversals netted against what they reverse."""
    base = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds))
    credit, debit = Q(credit_account=funds), Q(debit_account=funds)
    original, reversal = Q(reversal_of__isnull=True), Q(reversal_of__isnull=False)
    aggregates = {
        "in_": _sum(credit & original),
        "in_reversed": _sum(debit & reversal),
        "out": _sum(debit & original),
        "out_reversed": _sum(credit & reversal),
    }
    if since is not None:
        recent = Q(effective_date__gte=since)
        aggregates["recent_in"] = _sum(credit & original & recent)
        aggregates["recent_in_reversed"] = _sum(debit & reversal & recent)
    return base.aggregate(**aggregates)


def funds_account_or_none(collective) -> Account | None:
    """The collective's funds account, read-only (selectors never create rows)."""
    return Account.objects.filter(collective=collective, kind=AccountKind.COLLECTIVE_FUNDS).first()


def statement_account_or_none(collective) -> Account | None:
    """The account a profile's public statement shows: a collective's funds, or for a host's own profile
    the host's own money, the fees it collected (issue 10: not "No transactions yet")."""
    if collective.is_host_profile:
        return Account.objects.filter(host=collective.host, kind=AccountKind.HOST_FEES).order_by("pk").first()
    return funds_account_or_none(collective)


def collective_totals(collective) -> dict:
    """{"currency", "balance", "total_raised", "total_spent", "yearly_budget_estimate"} in minor units.

    raised − spent = balance. The yearly budget estimate is what was raised over the last 12 months.
    """
    funds = funds_account_or_none(collective)
    if funds is None:  # not approved yet: no account, nothing moved
        return {
            "currency": collective.currency,
            "balance": 0,
            "total_raised": 0,
            "total_spent": 0,
            "yearly_budget_estimate": 0,
        }
    year_ago = timezone.localdate() - dt.timedelta(days=365)
    sums = _raised_spent(funds, since=year_ago)
    return {
        "currency": collective.currency,
        "balance": funds.balance,
        "total_raised": sums["in_"] - sums["in_reversed"],
        "total_spent": sums["out"] - sums["out_reversed"],
        "yearly_budget_estimate": sums["recent_in"] - sums["recent_in_reversed"],
    }


def host_totals(host) -> dict:
    """{"currency", "collectives_count", "total_held", "host_fees_collected"} in minor units."""
    accounts = Account.objects.filter(host=host).aggregate(
        held=Coalesce(
            Sum(
                F("credits_posted") - F("debits_posted"),
                filter=Q(kind=AccountKind.COLLECTIVE_FUNDS) & ~Q(collective_id=host.profile_id),
            ),
            0,
        ),
        fees=Coalesce(Sum(F("credits_posted") - F("debits_posted"), filter=Q(kind=AccountKind.HOST_FEES)), 0),
    )
    count = (
        Collective.objects.filter(host=host, status=Collective.Status.ACTIVE)
        .exclude(pk=host.profile_id)
        .aggregate(n=Count("pk"))["n"]
    )
    return {
        "currency": host.currency,
        "collectives_count": count,
        "total_held": accounts["held"],
        "host_fees_collected": accounts["fees"],
    }


# --- money in and out per month ---------------------------------------------------------------------


def _month_starts(months: int, today: dt.date | None = None) -> list[dt.date]:
    today = today or timezone.localdate()
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        out.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


def _monthly(qs: QuerySet, in_q: Q, out_q: Q, months: int) -> list[dict]:
    starts = _month_starts(months)
    rows = (
        qs.filter(effective_date__gte=starts[0])
        .annotate(month=TruncMonth("effective_date"))
        .order_by()
        .values("month")
        .annotate(money_in=_sum(in_q), money_out=_sum(out_q))
    )
    by_month = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        by_month[month] = row
    return [
        {
            "month": m,
            "money_in": by_month.get(m, {}).get("money_in", 0),
            "money_out": by_month.get(m, {}).get("money_out", 0),
        }
        for m in starts
    ]


def collective_monthly_flows(collective, months: int = 12) -> list[dict]:
    """[{"month": date, "money_in", "money_out"}] for the last `months` months, oldest first (gross)."""
    funds = funds_account_or_none(collective)
    qs = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds)) if funds else Transfer.objects.none()
    return _monthly(qs, Q(credit_account=funds), Q(debit_account=funds), months)


def host_monthly_flows(host, months: int = 12) -> list[dict]:
    """Money entering and leaving all the funds the host holds, gifts between its collectives left out."""
    funds_kind = AccountKind.COLLECTIVE_FUNDS
    qs = Transfer.objects.filter(
        Q(credit_account__host=host, credit_account__kind=funds_kind)
        | Q(debit_account__host=host, debit_account__kind=funds_kind)
    ).exclude(kind=TransferKind.COLLECTIVE_TRANSFER)
    return _monthly(qs, Q(credit_account__kind=funds_kind), Q(debit_account__kind=funds_kind), months)
