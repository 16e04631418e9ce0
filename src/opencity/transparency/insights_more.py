"""Two more "View Source" questions: what an event of a given kind costs per attendee, and what sponsors gave
for similar activities.

- An event's *kind* is the category of the collective that runs it (a culture collective's concert, a sport
  collective's tournament): events carry no category of their own. Its cost per attendee is exactly what its
  public page says ("how much did it cost to run this event?"): the expenses the collective approved or paid
  for it plus the fees on its tickets, divided by the people who came (tickets checked in). Only past events
  with at least one arrival count.
- A *sponsor* is an organisation: a contribution given in an organisation's name, which the collective's
  public transactions show under that organisation's name. Gifts made by individuals are not counted.

Both are grouped by kind of collective; a kind with fewer than three collectives is never broken out. Each
takes a fixed number of queries, whatever the number of collectives or events.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from opencity.transparency.insights import (
    ALL,
    MIN_GROUP,
    _collectives,
    _spread,
    contributions_kept,
    spread_counted,
    with_all_kinds,
)


def event_costs(host, *, category: str = "", commune: str = "", period: str = "12m") -> dict:
    """Per kind of collective: the median and range of cost per attendee across its past events."""
    from opencity.contributions.models import Contribution
    from opencity.events.models import Event, Order, Ticket
    from opencity.events.selectors import COST_STATUSES
    from opencity.expenses.models import Expense
    from opencity.transparency.insights import PERIODS

    collectives = _collectives(host, category, commune)
    now = timezone.now()
    events = Event.objects.filter(collective__in=list(collectives), status=Event.Status.PUBLISHED, ends_at__lte=now)
    days = PERIODS[period]
    if days is not None:
        events = events.filter(starts_at__gte=now - dt.timedelta(days=days))
    owner = dict(events.values_list("pk", "collective_id"))
    costs = dict(
        Expense.objects.filter(event__in=events, status__in=COST_STATUSES)
        .values("event")
        .annotate(total=Sum("amount"))
        .values_list("event", "total")
    )
    fees = (
        Contribution.objects.filter(
            ticket_order__event__in=events, journal__isnull=False, purpose=Contribution.Purpose.TICKET
        )
        .values("ticket_order__event")
        .annotate(p=Sum("processor_fee"), h=Sum("host_fee"))
    )
    for row in fees:
        event_id = row["ticket_order__event"]
        costs[event_id] = costs.get(event_id, 0) + (row["p"] or 0) + (row["h"] or 0)
    arrived = dict(
        Ticket.objects.filter(event__in=events, order__status=Order.Status.CONFIRMED, checked_in_at__isnull=False)
        .values("event")
        .annotate(n=Count("id"))
        .values_list("event", "n")
    )
    per_kind: dict[str, list[tuple[int, int]]] = defaultdict(list)  # kind -> [(collective, cost per attendee)]
    for event_id, collective_id in owner.items():
        if arrived.get(event_id):
            per_kind[collectives[collective_id].category].append(
                (collective_id, costs.get(event_id, 0) // arrived[event_id])
            )
    rows, hidden = [], 0
    for kind, events_ in with_all_kinds(per_kind):
        n = len({collective_id for collective_id, _cost in events_})
        if n < MIN_GROUP:
            hidden += kind != ALL
            continue
        rows.append({"category": kind, **spread_counted([cost for _c, cost in events_], n, "events")})
    return {"currency": host.currency, "rows": rows, "hidden_groups": hidden}


def sponsor_gifts(host, *, category: str = "", commune: str = "", period: str = "12m") -> dict:
    """Per kind of collective: what one sponsor gave (median and range) and what each collective got from sponsors."""
    from opencity.contributions.models import Contribution

    collectives = _collectives(host, category, commune)
    from_organisation = Contribution.objects.filter(public_id=OuterRef("journal__source_id")).exclude(
        organisation_name=""
    )
    rows = (
        contributions_kept(host, period, collectives)
        .filter(journal__source_type="contribution")
        .filter(Exists(from_organisation))
        .values_list("credit_account__collective", "amount")
    )
    gifts: dict[int, list[int]] = defaultdict(list)
    for collective_id, amount in rows:
        gifts[collective_id].append(amount)
    groups: dict[str, list[int]] = defaultdict(list)
    for pk in gifts:
        groups[collectives[pk].category].append(pk)
    out, hidden = [], 0
    for kind, members in with_all_kinds(groups):
        if len(members) < MIN_GROUP:
            hidden += kind != ALL
            continue
        every_gift = [amount for pk in members for amount in gifts[pk]]
        out.append(
            {
                "category": kind,
                "collectives": len(members),
                "gift": spread_counted(every_gift, len(members), "gifts"),
                "per_collective": _spread([sum(gifts[pk]) for pk in members]),
            }
        )
    return {"currency": host.currency, "rows": out, "hidden_groups": hidden}
