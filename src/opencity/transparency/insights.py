""" "View Source" across collectives: what things cost and what comparable collectives raise.

Only public ledger data: transfers touching collectives' funds accounts, with the public category of
the expense or the purpose of the contribution they settle. A group of fewer than three collectives is
never broken out. Each figure takes a fixed number of queries, whatever the number of collectives.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Exists, OuterRef, Subquery, Sum
from django.utils import timezone

from opencity.hosting.models import Category, Collective, Commune
from opencity.ledger.models import AccountKind, MonthlyRollup, Transfer, TransferKind
from opencity.transparency.selectors import _next_month

MIN_GROUP = 3
PERIODS = {"3m": 91, "12m": 365, "all": None}


def insight_filters(params) -> dict:
    category = params.get("category", "")
    commune = params.get("commune", "")
    period = params.get("period", "12m")
    return {
        "category": category if category in Category.values else "",
        "commune": commune if commune in Commune.values else "",
        "period": period if period in PERIODS else "12m",
    }


def _collectives(host, category: str, commune: str) -> dict[int, Collective]:
    qs = Collective.objects.filter(host=host, status=Collective.Status.ACTIVE).exclude(pk=host.profile_id)
    if category:
        qs = qs.filter(category=category)
    if commune:
        qs = qs.filter(commune=commune)
    return {c.pk: c for c in qs.only("pk", "slug", "name", "category", "commune")}


def _transfers(host, period: str):
    qs = Transfer.objects.filter(journal__host=host)
    days = PERIODS[period]
    if days is not None:
        qs = qs.filter(journal__effective_date__gte=timezone.localdate() - dt.timedelta(days=days))
    return qs


ALL = "all"  # the group of every kind of collective together (not a category code)


def with_all_kinds(groups: dict[str, list]) -> list[tuple[str, list]]:
    """Per kind of collective, preceded by every kind together (when there are several): a city where each kind
    has one or two collectives still learns something, and no single collective stands out."""
    out = sorted(groups.items())
    if len(out) > 1:
        out.insert(0, (ALL, [m for _kind, members in out for m in members]))
    return out


def _spread(values: list[int]) -> dict:
    return {
        "collectives": len(values),
        "median": int(statistics.median(values)),
        "min": min(values),
        "max": max(values),
    }


def spread_counted(values: list[int], collectives: int, unit: str) -> dict:
    """Median and range of `values`, with how many `unit`s (events, gifts) and collectives they come from."""
    return {**_spread(values), "collectives": collectives, unit: len(values)}


def spending_by_category(host, *, category: str = "", commune: str = "", period: str = "12m") -> dict:
    """Per expense category: what each collective spent on it (net of reversals), median and range — and what
    each event spent on it, for the expenses made for an event (`per_event`, when three collectives have some)."""
    from opencity.expenses.models import Expense

    collectives = _collectives(host, category, commune)
    expense = Expense.objects.filter(public_id=OuterRef("journal__source_id"))
    reversed_expense = Expense.objects.filter(public_id=OuterRef("journal__reverses__source_id"))
    base = _transfers(host, period).filter(kind=TransferKind.EXPENSE)
    out = (
        base.filter(debit_account__kind=AccountKind.COLLECTIVE_FUNDS, debit_account__collective__in=list(collectives))
        .filter(journal__reverses__isnull=True)
        .annotate(
            expense_category=Subquery(expense.values("category")[:1]),
            expense_event=Subquery(expense.values("event_id")[:1]),
        )
        .values("debit_account__collective", "expense_category", "expense_event")
        .annotate(total=Sum("amount"))
    )
    per: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_event: dict[str, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for row in out:
        cat, collective_id = row["expense_category"] or "other", row["debit_account__collective"]
        per[cat][collective_id] += row["total"]
        if row["expense_event"]:
            per_event[cat][(collective_id, row["expense_event"])] += row["total"]
    back = (
        base.filter(credit_account__kind=AccountKind.COLLECTIVE_FUNDS, credit_account__collective__in=list(collectives))
        .filter(journal__reverses__isnull=False)
        .annotate(
            expense_category=Subquery(reversed_expense.values("category")[:1]),
            expense_event=Subquery(reversed_expense.values("event_id")[:1]),
        )
        .values("credit_account__collective", "expense_category", "expense_event")
        .annotate(total=Sum("amount"))
    )
    for row in back:
        cat, collective_id = row["expense_category"] or "other", row["credit_account__collective"]
        per[cat][collective_id] -= row["total"]
        if row["expense_event"]:
            per_event[cat][(collective_id, row["expense_event"])] -= row["total"]
    rows, hidden = [], 0
    for cat, by_collective in sorted(per.items()):
        values = [v for v in by_collective.values() if v > 0]
        if len(values) >= MIN_GROUP:
            events = {key: v for key, v in per_event[cat].items() if v > 0}
            by = len({collective_id for collective_id, _event in events})
            rows.append(
                {
                    "category": cat,
                    **_spread(values),
                    "per_event": spread_counted(list(events.values()), by, "events") if by >= MIN_GROUP else None,
                }
            )
        elif values:
            hidden += 1
    return {"currency": host.currency, "rows": rows, "hidden_groups": hidden}


def contributions_kept(host, period: str, collectives: dict):
    """The contributions these collectives received in the period and kept (neither a reversal nor reversed)."""
    return (
        _transfers(host, period)
        .filter(
            kind=TransferKind.CONTRIBUTION,
            credit_account__kind=AccountKind.COLLECTIVE_FUNDS,
            credit_account__collective__in=list(collectives),
            journal__reverses__isnull=True,
        )
        .annotate(reversed=Exists(Transfer.objects.filter(journal__reverses=OuterRef("journal"))))
        .filter(reversed=False)
    )


def raising(host, *, category: str = "", commune: str = "", period: str = "12m") -> dict:
    """Per collective category: monthly recurring income, typical one-time gift, share from memberships."""
    from opencity.contributions.models import Contribution

    collectives = _collectives(host, category, commune)
    recurring = Contribution.objects.filter(public_id=OuterRef("journal__source_id"), recurring__isnull=False)
    rows = (
        contributions_kept(host, period, collectives)
        .annotate(is_recurring=Exists(recurring))
        .values_list("credit_account__collective", "amount", "is_recurring")
    )
    gifts: dict[int, list[int]] = defaultdict(list)
    recurring_total: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    for collective_id, amount, is_recurring in rows:
        total[collective_id] += amount
        if is_recurring:
            recurring_total[collective_id] += amount
        else:
            gifts[collective_id].append(amount)
    months = (PERIODS[period] or _months_since_first(host)) / (365 / 12)
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, c in collectives.items():
        if total.get(pk):
            groups[c.category].append(pk)
    out, hidden = [], 0
    for cat, members in with_all_kinds(groups):
        if len(members) < MIN_GROUP:
            hidden += cat != ALL
            continue
        monthly = [round(recurring_total[pk] / max(months, 1)) for pk in members]
        typical = [int(statistics.median(gifts[pk])) for pk in members if gifts[pk]]
        shares = [round(100 * recurring_total[pk] / total[pk]) for pk in members]
        out.append(
            {
                "category": cat,
                "collectives": len(members),
                "raised": _spread([total[pk] for pk in members]),
                "monthly_recurring": _spread(monthly),
                "typical_gift": _spread(typical) if len(typical) >= MIN_GROUP else None,
                "membership_share_percent": _spread(shares),
            }
        )
    return {"currency": host.currency, "rows": out, "hidden_groups": hidden}


def _months_since_first(host) -> int:
    first = (
        Transfer.objects.filter(journal__host=host)
        .order_by("journal__effective_date")
        .values_list("journal__effective_date", flat=True)
        .first()
    )
    return max(1, (timezone.localdate() - first).days) if first else 1


def collective_raised(host, period: str = "12m") -> dict[int, int]:
    """What each collective raised in contributions, net (as its transactions add up), in three queries
    whatever the history: the funds accounts' monthly rollups for the whole months of the period, and the
    transfers of the first, partial month (each side bounded by its statement index)."""
    days = PERIODS[period]
    since = None if days is None else timezone.localdate() - dt.timedelta(days=days)
    first_full = since if since is None or since.day == 1 else _next_month(since)
    funds = {"account__host": host, "account__kind": AccountKind.COLLECTIVE_FUNDS}
    rollups = MonthlyRollup.objects.filter(kind=TransferKind.CONTRIBUTION, **funds)
    if first_full is not None:
        rollups = rollups.filter(month__gte=first_full)
    out: dict[int, int] = defaultdict(int)
    for collective_id, debits, credits in (
        rollups.values_list("account__collective").annotate(d=Sum("debits"), c=Sum("credits")).order_by()
    ):
        out[collective_id] += credits - debits
    if since is not None and since != first_full:
        partial = Transfer.objects.filter(
            kind=TransferKind.CONTRIBUTION, effective_date__gte=since, effective_date__lt=first_full
        )
        for side, sign in (("credit_account", 1), ("debit_account", -1)):
            rows = (
                partial.filter(**{f"{side}__host": host, f"{side}__kind": AccountKind.COLLECTIVE_FUNDS})
                .values_list(f"{side}__collective")
                .annotate(s=Sum("amount"))
                .order_by()
            )
            for collective_id, amount in rows:
                out[collective_id] += sign * amount
    return {pk: v for pk, v in out.items() if v}


def collectives_like(collective, period: str = "12m") -> dict | None:
    """The collective's own raised total beside the median and range of others in its category (≥ 3 others)."""
    host = collective.host
    peers = _collectives(host, collective.category, "")
    raised = collective_raised(host, period)
    others = [raised.get(pk, 0) for pk in peers if pk != collective.pk]
    if len(others) < MIN_GROUP:
        return None
    return {"currency": host.currency, "own": raised.get(collective.pk, 0), "peers": _spread(others)}


def host_insights(host, **filters) -> dict:
    from opencity.transparency.insights_more import event_costs, sponsor_gifts

    return {
        "filters": filters,
        "spending": spending_by_category(host, **filters),
        "raising": raising(host, **filters),
        "events": event_costs(host, **filters),
        "sponsors": sponsor_gifts(host, **filters),
    }
