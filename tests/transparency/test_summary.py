import datetime as dt

import pytest
from django.utils import timezone

from opencity.ledger import services as ledger
from opencity.transparency import selectors
from tests.conftest import enable_2fa, make_collective
from tests.ledger.helpers import contribute, spend


@pytest.mark.django_db
def test_collective_totals(collective, host_admin):
    today = timezone.localdate()
    contribute(collective, 10000, fee=39, effective_date=today - dt.timedelta(days=400))  # older than a year
    j = contribute(collective, 5000, effective_date=today - dt.timedelta(days=30))
    spend(collective, 1000)
    ledger.journal_reverse(journal=j, idempotency_key="rev", reason="chargeback")
    totals = selectors.collective_totals(collective)
    assert totals["balance"] == ledger.funds_account(collective).balance
    assert totals["total_raised"] == 10000
    assert totals["total_spent"] == 39 + 800 + 1000
    assert totals["total_raised"] - totals["total_spent"] == totals["balance"]
    assert totals["yearly_budget_estimate"] == 0  # the only recent money was reversed
    assert totals["currency"] == "EUR"


@pytest.mark.django_db
def test_host_totals_and_flows(host):
    a, b = make_collective(host), make_collective(host)
    contribute(a, 10000)
    contribute(b, 5000)
    contribute(host.profile, 700)  # the host's own money is not "held for collectives" and pays no fee
    ledger.collective_transfer(
        from_collective=a, to_collective=b, amount=100, description="x", by=enable_2fa(a.admins.first())
    )
    totals = selectors.host_totals(host)
    assert totals == {
        "currency": "EUR",
        "collectives_count": 2,
        "total_held": 9200 + 4600,
        "host_fees_collected": 1200,
    }
    flows = selectors.host_monthly_flows(host)
    assert len(flows) == 12 and flows[-1]["month"] == timezone.localdate().replace(day=1)
    assert flows[-1]["money_in"] == 15700 and flows[-1]["money_out"] == 1200


@pytest.mark.django_db
def test_collective_page_shows_summary_and_chart(client, collective):
    today = timezone.localdate()
    contribute(collective, 10000, fee=39, effective_date=today - dt.timedelta(days=62))
    html = client.get(f"/{collective.slug}/").content.decode()
    for text in ("Balance", "Total raised", "Total spent", "Estimated yearly budget", "<svg", "<table"):
        assert text in html
    assert "€91.61" in html  # 100 − 0.39 − 8.00
    assert html.count('class="chart-in"') == 12 and f"/{collective.slug}/transactions" in html


@pytest.mark.django_db
def test_host_page_shows_host_totals(client, host):
    contribute(make_collective(host), 10000)
    html = client.get(f"/{host.slug}/").content.decode()
    for text in ("Collectives hosted", "Host fees collected", "€8.00", "€92.00", "<svg"):
        assert text in html, text


@pytest.mark.django_db
def test_summary_query_count_is_small(collective, django_assert_max_num_queries):
    for _ in range(20):
        contribute(collective, 1000)
    with django_assert_max_num_queries(4):
        selectors.collective_totals(collective)
        selectors.collective_monthly_flows(collective)
