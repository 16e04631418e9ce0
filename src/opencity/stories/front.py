"""The city's front page: what needs money now, what is coming, what is new, who is wanted, the money.

Each block is one query (or none when its app is not installed), whatever the number of collectives.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from opencity.hosting.models import Collective
from opencity.ledger.models import AccountKind, MonthlyRollup
from opencity.stories import selectors

GIVEN = ("paid", "partially_refunded")


def needing_money(host, limit: int = 4) -> list:
    """Tiers with a goal, closest to it first (but not reached): "a last push"."""
    from opencity.contributions.models import Tier

    tiers = (
        Tier.objects.filter(
            collective__host=host, collective__status=Collective.Status.ACTIVE, archived_at__isnull=True, goal__gt=0
        )
        .select_related("collective")
        .annotate(
            raised=Coalesce(
                Sum(
                    F("contributions__amount") - F("contributions__amount_refunded"),
                    filter=Q(contributions__status__in=GIVEN),
                ),
                0,
            )
        )
        .filter(raised__lt=F("goal"))
    )
    rows = []
    for t in tiers:
        t.goal_percent = t.raised * 100 // t.goal
        t.missing = t.goal - t.raised
        rows.append(t)
    rows.sort(key=lambda t: (-t.goal_percent, t.missing))
    return rows[:limit]


def coming_events(host, limit: int = 4) -> list | None:
    if not apps.is_installed("opencity.events"):
        return None
    from opencity.events import selectors as events_selectors

    return list(events_selectors.upcoming_events(host=host)[:limit])


def volunteers_wanted(host, limit: int = 4) -> list | None:
    """Open calls of this host, dated today or later or ongoing: the same list as `/volunteer`, soonest first."""
    if not apps.is_installed("opencity.community"):
        return None
    from opencity.community.selectors_volunteer import OpportunityFilter, open_opportunities

    return open_opportunities(OpportunityFilter(host=host.profile.slug), limit=limit)


def money_at_a_glance(host) -> dict:
    """Raised and spent by the host's collectives (gross, reversals netted), how many, how many people help."""
    # From the funds accounts' monthly rollups (ledger/rollups.py): a few rows per account and month,
    # whatever the history. An original credit is raised, an original debit spent; reversals net them.
    original, reversal = Q(reversal_kind=""), ~Q(reversal_kind="")
    sums = MonthlyRollup.objects.filter(account__host=host, account__kind=AccountKind.COLLECTIVE_FUNDS).aggregate(
        in_=Coalesce(Sum("credits", filter=original), 0),
        in_rev=Coalesce(Sum("debits", filter=reversal), 0),
        out=Coalesce(Sum("debits", filter=original), 0),
        out_rev=Coalesce(Sum("credits", filter=reversal), 0),
    )
    from opencity.contributions.models import Contribution

    people = Contribution.objects.filter(collective__host=host, status__in=GIVEN).aggregate(
        n=Count("person", distinct=True)
    )["n"]
    collectives = Collective.objects.filter(host=host, status=Collective.Status.ACTIVE).exclude(pk=host.profile_id)
    return {
        "currency": host.currency,
        "raised": sums["in_"] - sums["in_rev"],
        "spent": sums["out"] - sums["out_rev"],
        "collectives": collectives.count(),
        "people": people,
    }


def city_page(host, *, user=None) -> dict:
    return {
        "host": host,
        "needing_money": needing_money(host),
        "events": coming_events(host),
        "stories": list(selectors.live_stories(host=host, user=None)[:4]),
        "volunteers": volunteers_wanted(host),
        "money": money_at_a_glance(host),
        "now": timezone.now(),
    }
