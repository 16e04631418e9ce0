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


# Raised and spent, defined once (DESIGN: contributions net of their refunds). Every transfer touching a funds
# account is on one side by its kind — never by how a refund happened to be made:
# - raised: contributions, tickets, added funds and gifts received, less refunds and chargebacks (REFUND);
# - spent: expenses, host, processor and bank fees and gifts given, less the fees given back.
# A reversal (`reversal_of`) counts against the side of what it reverses. So one refund of the whole
# amount, two halves or a dispute give the same figures, and raised − spent = balance, always.
RAISED_KINDS = (
    TransferKind.CONTRIBUTION,
    TransferKind.TICKET,
    TransferKind.ADDED_FUNDS,
    TransferKind.REFUND,
)
SPENT_KINDS = (
    TransferKind.EXPENSE,
    TransferKind.HOST_FEE,
    TransferKind.PROCESSOR_FEE,
    TransferKind.BANK_FEE,
    TransferKind.SETTLEMENT,
)


def _effective_kind(kinds) -> Q:
    """The transfer's kind, or for a reversal the kind of what it reverses."""
    return Q(reversal_of__isnull=True, kind__in=kinds) | Q(reversal_of__isnull=False, reversal_of__kind__in=kinds)


def _raised_q(funds: Account) -> tuple[Q, Q]:
    """(adds to raised, takes from raised) for transfers touching `funds`."""
    credit, debit = Q(credit_account=funds), Q(debit_account=funds)
    gift = TransferKind.COLLECTIVE_TRANSFER
    original, reversal = Q(reversal_of__isnull=True), Q(reversal_of__isnull=False)
    # A gift received is raised (its reversal takes it back); a gift given is spent.
    gift_in = (credit & original & Q(kind=gift)) | (debit & reversal & Q(reversal_of__kind=gift))
    return (credit & _effective_kind(RAISED_KINDS)) | (gift_in & credit), (debit & _effective_kind(RAISED_KINDS)) | (
        gift_in & debit
    )


def _spent_q(funds: Account) -> tuple[Q, Q]:
    """(adds to spent, takes from spent) for transfers touching `funds`."""
    credit, debit = Q(credit_account=funds), Q(debit_account=funds)
    gift = TransferKind.COLLECTIVE_TRANSFER
    original, reversal = Q(reversal_of__isnull=True), Q(reversal_of__isnull=False)
    gift_out = (debit & original & Q(kind=gift)) | (credit & reversal & Q(reversal_of__kind=gift))
    return (debit & _effective_kind(SPENT_KINDS)) | (gift_out & debit), (credit & _effective_kind(SPENT_KINDS)) | (
        gift_out & credit
    )


def _raised_spent(funds: Account, since: dt.date | None = None) -> dict:
    """Raised and spent of `funds` (see RAISED_KINDS), in one aggregate query."""
    base = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds))
    raised_plus, raised_minus = _raised_q(funds)
    spent_plus, spent_minus = _spent_q(funds)
    aggregates = {
        "raised_plus": _sum(raised_plus),
        "raised_minus": _sum(raised_minus),
        "spent_plus": _sum(spent_plus),
        "spent_minus": _sum(spent_minus),
    }
    if since is not None:
        recent = Q(effective_date__gte=since)
        aggregates["recent_plus"] = _sum(raised_plus & recent)
        aggregates["recent_minus"] = _sum(raised_minus & recent)
    sums = base.aggregate(**aggregates)
    out = {
        "raised": sums["raised_plus"] - sums["raised_minus"],
        "spent": sums["spent_plus"] - sums["spent_minus"],
    }
    if since is not None:
        out["recent_raised"] = sums["recent_plus"] - sums["recent_minus"]
    return out


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

    raised − spent = balance, whatever the shape of the refunds (see RAISED_KINDS). The yearly budget estimate is what was raised over the last 12 months.
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
        "total_raised": sums["raised"],
        "total_spent": sums["spent"],
        "yearly_budget_estimate": sums["recent_raised"],
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
