"""Public money reads shared by pages, the API and exports: totals, monthly flows, statements.

Balances are one row read (the funds account's cached totals); raised/spent and the monthly charts read
the accounts' monthly rollups (ledger/rollups.py): a few hundred rows at most, whatever the history.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from opencity.hosting.models import Collective
from opencity.ledger.models import Account, AccountKind, MonthlyRollup, TransferKind

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


GIFT = TransferKind.COLLECTIVE_TRANSFER


def _sides(kind: str, reversal_kind: str) -> tuple[str, str]:
    """Where a funds account's (debits, credits) of this kind count: "raised", "spent" or "" (neither).

    A transfer counts by its kind, a reversal (`reversal_kind` = the kind it reverses) against the side of
    what it reverses. Credits add to raised and take from spent; debits do the opposite. A gift received
    (a credit) is raised, a gift given (a debit) is spent, and the reversal of either takes it back.
    """
    effective = reversal_kind or kind
    if effective in RAISED_KINDS:
        return "raised", "raised"
    if effective in SPENT_KINDS:
        return "spent", "spent"
    if effective == GIFT:
        # original: debit = given (spent +), credit = received (raised +);
        # reversal: debit takes back a received gift (raised −), credit gives back a given one (spent −).
        return ("raised", "spent") if reversal_kind else ("spent", "raised")
    return "", ""


def _add(out: dict, kind: str, reversal_kind: str, debits: int, credits: int, prefix: str = "") -> None:
    debit_side, credit_side = _sides(kind, reversal_kind)
    if debit_side:
        out[prefix + debit_side] += -debits if debit_side == "raised" else debits
    if credit_side:
        out[prefix + credit_side] += credits if credit_side == "raised" else -credits


# The monthly rollups of the funds account (all time), then, when `since` falls inside a month, that month's
# transfers from `since` on: one query, at most a few hundred rows whatever the history.
_RAISED_SPENT_SQL = """
    SELECT 0, month, kind, reversal_kind, debits, credits FROM ledger_monthlyrollup WHERE account_id = %s
    UNION ALL
    SELECT 1, NULL, t.kind, coalesce(o.kind, ''),
        coalesce(sum(CASE WHEN t.debit_account_id = %s THEN t.amount ELSE 0 END), 0),
        coalesce(sum(CASE WHEN t.credit_account_id = %s THEN t.amount ELSE 0 END), 0)
    FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t.reversal_of_id
    WHERE (t.debit_account_id = %s OR t.credit_account_id = %s) AND t.effective_date >= %s AND t.effective_date < %s
    GROUP BY t.kind, o.kind
"""


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _raised_spent(funds: Account, since: dt.date | None = None) -> dict:
    """Raised and spent of `funds` (see RAISED_KINDS) from its monthly rollups, in one query.

    With `since`, also "recent_raised": what was raised from that date on (the months after it from the
    rollups, the rest of its own month from that month's transfers)."""
    first_full = since if since is None or since.day == 1 else _next_month(since)
    partial_to = first_full if since is not None and since.day != 1 else dt.date.min
    out = {"raised": 0, "spent": 0, "recent_raised": 0, "recent_spent": 0}
    pk = funds.pk
    with connection.cursor() as cur:
        if partial_to == dt.date.min:  # no partial month: the rollups alone (no empty scan to plan)
            cur.execute(_RAISED_SPENT_SQL.split("UNION ALL")[0], [pk])
        else:
            cur.execute(_RAISED_SPENT_SQL, [pk, pk, pk, pk, pk, since or dt.date.min, partial_to])
        for partial, month, kind, reversal_kind, debits, credits in cur.fetchall():
            debits, credits = int(debits), int(credits)
            if partial:
                _add(out, kind, reversal_kind, debits, credits, "recent_")
                continue
            _add(out, kind, reversal_kind, debits, credits)
            if since is not None and _as_date(month) >= first_full:
                _add(out, kind, reversal_kind, debits, credits, "recent_")
    del out["recent_spent"]
    if since is None:
        del out["recent_raised"]
    return out


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands back text from a raw query
        return dt.date.fromisoformat(value[:10])
    return value


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
    # Host fees land in the fees account's stripes too (ledger/stripes.py); funds accounts never do.
    accounts = (
        Account.objects.filter(host=host)
        .with_stripes()
        .aggregate(
            held=Coalesce(
                Sum(
                    F("credits_posted") - F("debits_posted"),
                    filter=Q(kind=AccountKind.COLLECTIVE_FUNDS) & ~Q(collective_id=host.profile_id),
                ),
                0,
            ),
            fees=Coalesce(
                Sum(
                    F("credits_posted") + F("striped_credits") - F("debits_posted") - F("striped_debits"),
                    filter=Q(kind=AccountKind.HOST_FEES),
                ),
                0,
            ),
        )
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


def _monthly(rollups: QuerySet, months: int) -> list[dict]:
    """Money in (credits) and out (debits) per month, from the monthly rollups `rollups` (a few rows)."""
    starts = _month_starts(months)
    rows = (
        rollups.filter(month__gte=starts[0])
        .order_by()
        .values("month")
        .annotate(money_in=Coalesce(Sum("credits"), 0), money_out=Coalesce(Sum("debits"), 0))
    )
    by_month = {_as_date(row["month"]): row for row in rows}
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
    return _monthly(MonthlyRollup.objects.filter(account=funds) if funds else MonthlyRollup.objects.none(), months)


def host_monthly_flows(host, months: int = 12) -> list[dict]:
    """Money entering and leaving all the funds the host holds, gifts between its collectives left out."""
    rollups = MonthlyRollup.objects.filter(account__host=host, account__kind=AccountKind.COLLECTIVE_FUNDS).exclude(
        kind=TransferKind.COLLECTIVE_TRANSFER
    )
    return _monthly(rollups, months)
