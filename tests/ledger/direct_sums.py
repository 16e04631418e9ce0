"""The figures as they were computed before the monthly rollups: straight sums over the transfers.

The rollup-based selectors must give exactly these (tests/ledger/test_rollups.py compares them)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from opencity.ledger.models import AccountKind, Transfer, TransferKind
from opencity.transparency.selectors import RAISED_KINDS, SPENT_KINDS, _month_starts


def _sum(q: Q):
    return Coalesce(Sum("amount", filter=q), 0)


def _effective_kind(kinds) -> Q:
    return Q(reversal_of__isnull=True, kind__in=kinds) | Q(reversal_of__isnull=False, reversal_of__kind__in=kinds)


def raised_spent(funds, since: dt.date) -> dict:
    credit, debit = Q(credit_account=funds), Q(debit_account=funds)
    gift = TransferKind.COLLECTIVE_TRANSFER
    original, reversal = Q(reversal_of__isnull=True), Q(reversal_of__isnull=False)
    gift_in = (credit & original & Q(kind=gift)) | (debit & reversal & Q(reversal_of__kind=gift))
    gift_out = (debit & original & Q(kind=gift)) | (credit & reversal & Q(reversal_of__kind=gift))
    raised_plus = (credit & _effective_kind(RAISED_KINDS)) | (gift_in & credit)
    raised_minus = (debit & _effective_kind(RAISED_KINDS)) | (gift_in & debit)
    spent_plus = (debit & _effective_kind(SPENT_KINDS)) | (gift_out & debit)
    spent_minus = (credit & _effective_kind(SPENT_KINDS)) | (gift_out & credit)
    recent = Q(effective_date__gte=since)
    s = Transfer.objects.filter(credit | debit).aggregate(
        rp=_sum(raised_plus),
        rm=_sum(raised_minus),
        sp=_sum(spent_plus),
        sm=_sum(spent_minus),
        np=_sum(raised_plus & recent),
        nm=_sum(raised_minus & recent),
    )
    return {"raised": s["rp"] - s["rm"], "spent": s["sp"] - s["sm"], "recent_raised": s["np"] - s["nm"]}


def _monthly(qs, in_q: Q, out_q: Q, months: int) -> list[dict]:
    starts = _month_starts(months)
    rows = (
        qs.filter(effective_date__gte=starts[0])
        .annotate(month=TruncMonth("effective_date"))
        .order_by()
        .values("month")
        .annotate(money_in=_sum(in_q), money_out=_sum(out_q))
    )
    by_month = {(r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]): r for r in rows}
    return [
        {
            "month": m,
            "money_in": by_month.get(m, {}).get("money_in", 0),
            "money_out": by_month.get(m, {}).get("money_out", 0),
        }
        for m in starts
    ]


def collective_monthly_flows(funds, months: int = 12) -> list[dict]:
    qs = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds))
    return _monthly(qs, Q(credit_account=funds), Q(debit_account=funds), months)


def host_monthly_flows(host, months: int = 12) -> list[dict]:
    funds_kind = AccountKind.COLLECTIVE_FUNDS
    qs = Transfer.objects.filter(
        Q(credit_account__host=host, credit_account__kind=funds_kind)
        | Q(debit_account__host=host, debit_account__kind=funds_kind)
    ).exclude(kind=TransferKind.COLLECTIVE_TRANSFER)
    return _monthly(qs, Q(credit_account__kind=funds_kind), Q(debit_account__kind=funds_kind), months)


def balances_at(host, at: dt.date) -> dict[int, tuple[int, int]]:
    """{account id: (debits, credits)} of the host's accounts from transfers dated up to `at`."""

    def sums(field):
        return dict(
            Transfer.objects.filter(**{f"{field}__host": host}, effective_date__lte=at)
            .order_by()
            .values_list(field)
            .annotate(s=Sum("amount"))
        )

    debits, credits = sums("debit_account"), sums("credit_account")
    return {pk: (debits.get(pk, 0), credits.get(pk, 0)) for pk in debits.keys() | credits.keys()}


def money_at_a_glance(host) -> tuple[int, int]:
    """The city front page's raised and spent, summed from every transfer of the host's funds accounts."""
    credit = Q(credit_account__kind=AccountKind.COLLECTIVE_FUNDS, credit_account__host=host)
    debit = Q(debit_account__kind=AccountKind.COLLECTIVE_FUNDS, debit_account__host=host)
    original, reversal = Q(reversal_of__isnull=True), Q(reversal_of__isnull=False)
    s = Transfer.objects.filter(credit | debit).aggregate(
        a=Coalesce(Sum("amount", filter=credit & original), 0),
        b=Coalesce(Sum("amount", filter=debit & reversal), 0),
        c=Coalesce(Sum("amount", filter=debit & original), 0),
        d=Coalesce(Sum("amount", filter=credit & reversal), 0),
    )
    return s["a"] - s["b"], s["c"] - s["d"]


def collective_raised(host, since: dt.date | None) -> dict[int, int]:
    """Net contributions per collective from `since` on, summed from the transfers (insights' comparison)."""
    out: dict[int, int] = {}
    base = Transfer.objects.filter(kind=TransferKind.CONTRIBUTION)
    if since is not None:
        base = base.filter(effective_date__gte=since)
    for side, sign in (("credit_account", 1), ("debit_account", -1)):
        rows = base.filter(**{f"{side}__host": host, f"{side}__kind": AccountKind.COLLECTIVE_FUNDS})
        for pk, s in rows.values_list(f"{side}__collective").annotate(s=Sum("amount")).order_by():
            out[pk] = out.get(pk, 0) + sign * s
    return {pk: v for pk, v in out.items() if v}
