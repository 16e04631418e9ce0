"""Insights across collectives: from the public ledger, small groups hidden, constant query count, and
figures that agree with what the public transactions API says about each collective."""

import csv
import io
import statistics

import pytest

from opencity.expenses.payouts import expense_mark_paid
from opencity.transparency import insights
from tests.conftest import enable_2fa, make_collective, make_host, make_user
from tests.contributions.helpers import give
from tests.expenses.conftest import approved, fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


def _world(n: int, host=None):
    if host is None:
        host = make_host()
    admin = enable_2fa(host.admins.first())  # paying expenses needs a session that passed two-factor
    collectives = []
    for i in range(n):
        c = make_collective(host, category="culture", commune="ixelles")
        fund(c, 50_000)
        for j in range(2):
            give(c, amount=1000 * (i + 1) + 100 * j, email=f"giver{i}-{j}@example.org")
        e = approved(c, make_user(), amount=2000 + 500 * i, category="printing")
        expense_mark_paid(expense=e, by=admin)
        collectives.append(c)
    lonely = make_collective(host, category="sport")  # alone in its category: never broken out
    give(lonely, amount=99_900, email="big@example.org")
    e = approved(lonely, make_user(), amount=7777, category="venue")
    expense_mark_paid(expense=e, by=admin)
    return host, collectives


def test_figures_agree_with_the_public_transactions_api(client):
    host, collectives = _world(3)
    data = client.get(f"/api/v1/hosts/{host.slug}/insights?period=all").json()
    raised, spent = [], []
    for c in collectives:
        rows = client.get(f"/api/v1/collectives/{c.slug}/transactions?limit=100").json()["results"]
        raised.append(sum(r["amount"]["value"] for r in rows if r["kind"] == "contribution"))
        spent.append(-sum(r["amount"]["value"] for r in rows if r["kind"] == "expense"))
    culture = next(r for r in data["raising"]["rows"] if r["category"] == "culture")
    assert culture["raised"] == {
        "collectives": 3,
        "median": statistics.median(raised),
        "min": min(raised),
        "max": max(raised),
    }
    printing = next(r for r in data["spending"]["rows"] if r["category"] == "printing")
    assert printing == {
        "category": "printing",
        "collectives": 3,
        "median": statistics.median(spent),
        "min": min(spent),
        "max": max(spent),
        "per_event": None,  # none of these expenses was for an event
    }
    assert culture["typical_gift"]["collectives"] == 3 and culture["membership_share_percent"]["max"] == 0
    # The lone sport collective and the lone venue expense are not broken out.
    assert "sport" not in {r["category"] for r in data["raising"]["rows"]}
    assert "venue" not in {r["category"] for r in data["spending"]["rows"]}
    assert data["spending"]["hidden_groups"] == 1 and data["raising"]["hidden_groups"] == 1


def test_query_count_does_not_grow_with_collectives(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    host, _ = _world(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/{host.slug}/insights").status_code == 200
    _world(6, host=host)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/{host.slug}/insights").status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_filters_page_chart_and_csv(client):
    host, collectives = _world(3)
    page = client.get(f"/{host.slug}/insights?category=culture&period=all").content.decode()
    assert 'role="img"' in page and 'aria-describedby="spending-table"' in page and 'id="spending-table"' in page
    assert client.get(f"/{host.slug}/insights?commune=uccle").context["data"]["raising"]["rows"] == []
    r = client.get(f"/{host.slug}/insights?format=csv&period=all")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert {"spending", "raising"} == {row["section"] for row in rows}
    assert client.get(f"/{host.slug}/insights?category=nope&period=forever").status_code == 200  # ignored


def test_collectives_like_this_one(client):
    host, collectives = _world(4)
    page = client.get(f"/{collectives[0].slug}/").content.decode()
    assert "Collectives like this one" in page
    like = insights.collectives_like(collectives[0])
    assert like["peers"]["collectives"] == 3 and like["own"] == 1000 + 1100
    lonely = host.collectives.get(category="sport")
    assert "Collectives like this one" not in client.get(f"/{lonely.slug}/").content.decode()


def test_a_median_and_its_range_keep_their_order_in_arabic(client):
    """ "median (lowest – highest)": each amount is isolated, so a right-to-left page does not mix the three."""
    import re

    from django.utils import translation

    from opencity.money import Money, format_money

    host, _collectives = _world(3)
    raised = client.get(f"/{host.slug}/insights?period=all").context["data"]["raising"]["rows"][0]["raised"]
    page = client.get(f"/ar/{host.slug}/insights?period=all").content.decode()
    spreads = re.findall(r"<bdi>([^<]+)</bdi> \(<bdi>([^<]+)</bdi> – <bdi>([^<]+)</bdi>\)", page)
    with translation.override("ar"):
        expected = tuple(format_money(Money(raised[k], "EUR")) for k in ("median", "min", "max"))
    assert expected in spreads
