"""Reads shared by pages, the API and exports. Public ones never carry emails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Min, Q, Sum
from django.utils.translation import gettext as _

from opencity.community.models import Person
from opencity.contributions.models import Contribution, Interval, RecurringContribution, Tier

S = Contribution.Status
RS = RecurringContribution.Status
# Gifts that count (walls, goals, annual statements): paid, or partly refunded (for what was kept).
GIVEN = (S.PAID, S.PARTIALLY_REFUNDED)


@dataclass
class ContributorRow:
    name: str
    total: int
    currency: str
    since: datetime
    count: int
    is_organisation: bool = False


def collective_tiers(collective) -> list[Tier]:
    """Active tiers, each with `raised` (paid total, for the goal) and `taken` (for the quantity limit)."""
    tiers = list(
        Tier.objects.filter(collective=collective, archived_at__isnull=True).annotate(
            raised=Sum(
                F("contributions__amount") - F("contributions__amount_refunded"),
                filter=Q(contributions__status__in=GIVEN),
            ),
        )
    )
    members = dict(
        RecurringContribution.objects.filter(tier__in=tiers)
        .exclude(status=RS.CANCELLED)
        .values_list("tier")
        .annotate(n=Count("id"))
    )
    paid = dict(Contribution.objects.filter(tier__in=tiers, status=S.PAID).values_list("tier").annotate(n=Count("id")))
    for t in tiers:
        t.raised = t.raised or 0
        t.taken = members.get(t.pk, 0) if t.is_recurring else paid.get(t.pk, 0)
        t.remaining = None if t.quantity_limit is None else max(0, t.quantity_limit - t.taken)
        t.goal_percent = min(100, t.raised * 100 // t.goal) if t.goal else None
    return tiers


def tier_by_ref(collective, ref: str) -> Tier | None:
    return (
        Tier.objects.filter(collective=collective, archived_at__isnull=True)
        .filter(Q(slug=ref) | Q(public_id=ref))
        .first()
    )


def public_name(obj) -> str:
    """How a contribution or membership signs in public: "Anonymous" when asked, else the organisation, else
    the person's name once the email's owner is known to have given, else the name as it was typed."""
    if obj.anonymous:
        return _("Anonymous")
    if getattr(obj, "organisation_name", ""):
        return obj.organisation_name
    name = obj.person.name if obj.identity_verified else obj.contributor_name
    return name or _("Anonymous")


def collective_contributors(collective, *, limit: int | None = None) -> list[ContributorRow]:
    """The contributors wall, biggest first: one row per verified person (or organisation, or anonymous gift);
    a guest's unconfirmed gift is a row of its own under the name typed, never added to anyone's total."""
    given = Contribution.objects.filter(collective=collective, status__in=GIVEN)
    totals = dict(total=Sum(F("amount") - F("amount_refunded")), since=Min("paid_at"), n=Count("id"))
    groups = (
        given.filter(identity_verified=True)
        .values("person_id", "anonymous", "organisation_name")
        .annotate(**totals)
        .order_by("-total", "since")
    )
    singles = (
        given.filter(identity_verified=False)
        .values("pk", "anonymous", "organisation_name", "contributor_name")
        .annotate(**totals)
        .order_by("-total", "since")
    )
    if limit:
        groups, singles = groups[:limit], singles[:limit]
    groups, singles = list(groups), list(singles)
    names = dict(
        Person.objects.filter(pk__in={g["person_id"] for g in groups if not g["anonymous"]}).values_list("pk", "name")
    )
    rows = []
    for g in groups + singles:
        name = names.get(g["person_id"]) if "person_id" in g else g["contributor_name"]
        if g["anonymous"]:
            name, org = _("Anonymous"), False
        elif g["organisation_name"]:
            name, org = g["organisation_name"], True
        else:
            name, org = name or _("Anonymous"), False
        rows.append(ContributorRow(name, g["total"], collective.currency, g["since"], g["n"], org))
    rows.sort(key=lambda r: (-r.total, r.since))
    return rows[:limit] if limit else rows


def collective_members(collective) -> list[RecurringContribution]:
    """Live memberships (active or past due), oldest first, with tier and person loaded."""
    return list(
        RecurringContribution.objects.filter(collective=collective)
        .exclude(status=RS.CANCELLED)
        .select_related("tier", "person")
        .order_by("started_at", "id")
    )


def member_public_name(recurring: RecurringContribution) -> str:
    return public_name(recurring)


def collective_monthly_recurring_income(collective) -> int:
    """Monthly memberships plus yearly ones divided by twelve (rounded down), active or past due."""
    sums = dict(
        RecurringContribution.objects.filter(collective=collective)
        .exclude(status=RS.CANCELLED)
        .values_list("interval")
        .annotate(total=Sum("amount"))
    )
    return (sums.get(Interval.MONTH) or 0) + (sums.get(Interval.YEAR) or 0) // 12


def contributions_of_user(user):
    return (
        Contribution.objects.filter(person__user=user, identity_verified=True)
        .select_related("collective__host__profile", "tier")
        .order_by("-created_at", "-id")
    )


def recurring_of_user(user):
    return (
        RecurringContribution.objects.filter(person__user=user, identity_verified=True)
        .select_related("collective", "tier")
        .order_by("-started_at", "-id")
    )


def statement_years(user) -> list[tuple]:
    """(host, year) pairs for which the user has paid gifts: the annual statements they can download."""
    pairs = (
        Contribution.objects.filter(person__user=user, identity_verified=True, status__in=GIVEN)
        .values_list("collective__host", "paid_at__year")
        .distinct()
    )
    from opencity.hosting.models import Host

    hosts = {h.pk: h for h in Host.objects.filter(pk__in={p[0] for p in pairs}).select_related("profile")}
    return sorted(((hosts[h], y) for h, y in pairs), key=lambda p: (-p[1], p[0].name))


def statement_contributions(*, person, host, year: int) -> list[Contribution]:
    return list(
        Contribution.objects.filter(
            person=person, identity_verified=True, collective__host=host, status__in=GIVEN, paid_at__year=year
        )
        .select_related("collective")
        .order_by("paid_at", "id")
    )


def contribution_by_public_id(public_id: str) -> Contribution | None:
    return (
        Contribution.objects.select_related("collective__host__profile", "person", "tier", "recurring")
        .filter(public_id=public_id)
        .first()
    )


def collective_messages(collective, *, limit: int = 5) -> list[dict]:
    """The latest public messages left with paid contributions, signed with the public name or "Anonymous"."""
    rows = (
        Contribution.objects.filter(collective=collective, status=S.PAID)
        .exclude(public_message="")
        .select_related("person")
        .order_by("-paid_at", "-id")[:limit]
    )
    return [
        {
            "message": c.public_message,
            "name": public_name(c),
            "at": c.paid_at,
        }
        for c in rows
    ]
