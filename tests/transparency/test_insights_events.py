"""Insights: what an event of a given kind costs per attendee, and what sponsors gave for similar activities —
figures that agree with each event's public page and each collective's public transactions, small groups
hidden, filters, chart + table + CSV + JSON, and a query count that does not grow with collectives or events."""

import csv
import datetime as dt
import io
import statistics

import pytest

from opencity.events import checkin, orders
from opencity.events.demo import settle_by_demo_card
from opencity.events.orders import AttendeeIn, OrderRequest
from tests.conftest import make_collective, make_host, make_user
from tests.contributions.helpers import give
from tests.events.conftest import add_type, make_event
from tests.expenses.conftest import approved

pytestmark = pytest.mark.django_db

SPONSOR = "Brasserie du Coin SA"


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


def _buy(event, ticket_type, n: int, *, paid: bool, prefix: str):
    at = event.starts_at - dt.timedelta(days=3)
    for i in range(n):
        data = OrderRequest(
            attendees=[AttendeeIn(ticket_type=ticket_type.public_id, name=f"Guest {i}")],
            email=f"{prefix}{i}@example.org",
            name=f"Guest {i}",
            payment_method="demo" if paid else "",
        )
        settle_by_demo_card(orders.order_create(event=event, data=data, now=at), at=at)


def _past_event(collective, i: int, *, came: int, days_ago: int = 0):
    event = make_event(collective, days=-(days_ago or 5 + i), title=f"Open evening {i}")
    _buy(event, add_type(event, name="Free", price=0), 4 + i, paid=False, prefix=f"{collective.slug}-f{i}-")
    _buy(event, add_type(event, name="Supporter", price=500), 2, paid=True, prefix=f"{collective.slug}-p{i}-")
    for ticket in list(event.tickets.all())[:came]:
        checkin.ticket_check_in(event=event, code=ticket.code, by=collective.admins.first(), at=event.starts_at)
    approved(collective, make_user(), amount=3000 + 700 * i, category="venue", event_ref=event.public_id)
    return event


def _world(n: int, host=None, *, category="culture"):
    host = host or make_host()
    collectives = []
    for i in range(n):
        c = make_collective(host, category=category, commune="ixelles")
        _past_event(c, i, came=3 + i)
        give(c, amount=20_000 + 5_000 * i, email=f"org{i}@example.org", organisation_name=SPONSOR)
        give(c, amount=1_500, email=f"person{i}@example.org")  # an individual: not a sponsor
        collectives.append(c)
    return host, collectives


def test_event_cost_per_attendee_agrees_with_each_event_page(client):
    host, collectives = _world(3)
    lonely = make_collective(host, category="sport")
    _past_event(lonely, 9, came=2)
    make_event(collectives[0], days=20, title="Not yet")  # a coming event has no cost per attendee yet
    shown = []
    for c in collectives:
        for event in c.events.all():
            result = client.get(f"/{c.slug}/events/{event.slug}/").context["result"]
            if result is not None and result.cost_per_attendee is not None:
                shown.append(result.cost_per_attendee)
    assert len(shown) == 3 and len(set(shown)) == 3
    data = client.get(f"/api/v1/hosts/{host.slug}/insights?period=all").json()
    culture = next(r for r in data["events"]["rows"] if r["category"] == "culture")
    assert culture == {
        "category": "culture",
        "collectives": 3,
        "events": 3,
        "median": statistics.median(shown),
        "min": min(shown),
        "max": max(shown),
    }
    # The lone sport collective is not broken out; it counts only in every kind together.
    assert [r["category"] for r in data["events"]["rows"]] == ["all", "culture"]
    assert data["events"]["hidden_groups"] == 1
    (lone,) = lonely.events.all()
    everyone = [*shown, client.get(f"/{lonely.slug}/events/{lone.slug}/").context["result"].cost_per_attendee]
    assert data["events"]["rows"][0] | {"category": "x"} == {
        "category": "x",
        "collectives": 4,
        "events": 4,
        "median": int(statistics.median(everyone)),  # whole cents, as every figure
        "min": min(everyone),
        "max": max(everyone),
    }


def test_sponsor_gifts_agree_with_the_public_transactions(client):
    host, collectives = _world(3)
    gifts, per_collective = [], []
    for c in collectives:
        rows = client.get(f"/api/v1/collectives/{c.slug}/transactions?limit=100").json()["results"]
        mine = [r["amount"]["value"] for r in rows if r["kind"] == "contribution" and r["counterparty"] == SPONSOR]
        gifts += mine
        per_collective.append(sum(mine))
    data = client.get(f"/api/v1/hosts/{host.slug}/insights?period=all").json()
    (row,) = data["sponsors"]["rows"]
    assert row["category"] == "culture" and row["collectives"] == 3
    assert row["gift"] == {
        "collectives": 3,
        "gifts": 3,
        "median": statistics.median(gifts),
        "min": min(gifts),
        "max": max(gifts),
    }
    assert row["per_collective"]["median"] == statistics.median(per_collective)
    assert 1_500 not in gifts  # the individual's gift is not a sponsor's


def test_small_groups_and_filters():
    from opencity.transparency import insights

    host, two = _world(2)  # two culture collectives only
    data = insights.host_insights(host, category="", commune="", period="all")
    assert data["events"]["rows"] == [] and data["events"]["hidden_groups"] == 1
    assert data["sponsors"]["rows"] == [] and data["sponsors"]["hidden_groups"] == 1
    _world(1, host=host)  # the third one makes the group big enough
    assert insights.host_insights(host, category="culture", commune="", period="all")["events"]["rows"]
    assert not insights.host_insights(host, category="sport", commune="", period="all")["events"]["rows"]
    assert not insights.host_insights(host, category="", commune="uccle", period="all")["sponsors"]["rows"]
    _past_event(two[0], 7, came=2, days_ago=205)  # 205 days ago: in "all" and "12m", not in "3m"
    count = {
        p: insights.host_insights(host, category="", commune="", period=p)["events"]["rows"][0]["events"]
        for p in ("3m", "12m", "all")
    }
    assert count == {"3m": 3, "12m": 4, "all": 4}


def test_page_chart_table_and_csv(client):
    host, _ = _world(3)
    page = client.get(f"/{host.slug}/insights?period=all").content.decode()
    for table in ("events-table", "sponsors-table"):
        assert f'aria-describedby="{table}"' in page and f'id="{table}"' in page
    assert "given in an organisation" in page  # the definition of a sponsor is on the page
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/{host.slug}/insights?format=csv&period=all").content.decode()))
    )
    measures = {(r["section"], r["measure"]) for r in rows}
    assert {("events", "cost_per_attendee"), ("sponsors", "gift"), ("sponsors", "per_collective")} <= measures
    assert SPONSOR not in page and "@example.org" not in page  # no names, no emails


def test_query_count_does_not_grow_with_collectives_or_events(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    host, _ = _world(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/{host.slug}/insights?period=all").status_code == 200
    _world(5, host=host)
    _world(3, host=host, category="sport")
    with CaptureQueriesContext(connection) as large:
        page = client.get(f"/{host.slug}/insights?period=all")
    assert len(large) == len(small), (len(small), len(large))
    assert [r["category"] for r in page.context["data"]["events"]["rows"]] == ["all", "culture", "sport"]


def test_every_kind_together_when_each_kind_is_too_small(client):
    host, _ = _world(2)  # culture: two collectives
    _world(1, host=host, category="sport")  # sport: one
    data = client.get(f"/api/v1/hosts/{host.slug}/insights?period=all").json()
    for section in ("events", "sponsors", "raising"):
        assert [r["category"] for r in data[section]["rows"]] == ["all"], section  # no kind broken out
        assert data[section]["rows"][0]["collectives"] == 3 and data[section]["hidden_groups"] == 2
    page = client.get(f"/{host.slug}/insights?period=all").content.decode()
    assert "Every kind together" in page and "2 kinds of collective have fewer than three" in page
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/{host.slug}/insights?format=csv&period=all").content.decode()))
    )
    assert {r["group"] for r in rows if r["section"] != "spending"} == {"all"}


def test_spending_per_event_agrees_with_each_event_page(client):
    from opencity.expenses.payouts import expense_mark_paid
    from tests.conftest import enable_2fa
    from tests.expenses.conftest import fund

    host = make_host()
    admin = enable_2fa(host.admins.first())
    on_pages = []
    for i in range(3):
        c = make_collective(host, category="culture")
        fund(c, 100_000)
        for k in range(2):
            event = make_event(c, days=-(3 + k), title=f"Night {k}")
            e = approved(c, make_user(), amount=4000 + 1000 * i + 300 * k, category="venue", event_ref=event.public_id)
            expense_mark_paid(expense=e, by=admin)
            costs = client.get(f"/{c.slug}/events/{event.slug}/").context["result"].costs
            on_pages.append(sum(amount for _label, amount in costs))
        expense_mark_paid(expense=approved(c, make_user(), amount=999, category="venue"), by=admin)  # no event
    data = client.get(f"/api/v1/hosts/{host.slug}/insights?period=all").json()
    (venue,) = data["spending"]["rows"]
    assert venue["per_event"] == {
        "collectives": 3,
        "events": 6,
        "median": int(statistics.median(on_pages)),
        "min": min(on_pages),
        "max": max(on_pages),
    }
    assert venue["min"] == min(on_pages[0] + on_pages[1], on_pages[2] + on_pages[3]) + 999  # per collective
    page = client.get(f"/{host.slug}/insights?period=all").content.decode()
    assert "Per event" in page
