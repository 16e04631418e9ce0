import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from opencity.community.services import person_find_or_create
from opencity.ledger import services as ledger
from tests.conftest import enable_2fa, make_collective
from tests.ledger.helpers import contribute, spend


def _body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.fixture
def history(collective, host_admin):
    """A contribution by a named person, an anonymous one, added funds, a gift, an expense and a reversal."""
    today = timezone.localdate()
    amina = person_find_or_create(email="amina.private@example.org", name="Amina El Idrissi")
    contribute(collective, 1000, fee=39, person=amina, effective_date=today - dt.timedelta(days=40))
    contribute(collective, 2000, person=amina, anonymous=True, effective_date=today - dt.timedelta(days=20))
    added = ledger.added_funds_record(
        collective=collective,
        amount=5000,
        source="Fondation X",
        description="grant",
        charge_host_fee=False,
        by=host_admin,
        date=today - dt.timedelta(days=10),
    )
    other = make_collective(collective.host)
    ledger.collective_transfer(
        from_collective=collective,
        to_collective=other,
        amount=300,
        description="tools",
        by=enable_2fa(collective.admins.first()),
    )
    spend(collective, 100)
    ledger.added_funds_reverse(journal=added, reason="bounced", by=host_admin)
    return collective


@pytest.mark.django_db
def test_transactions_page_lists_every_line_with_fees_grouped(client, history, check_ledger):
    r = client.get(f"/{history.slug}/transactions")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Amina El Idrissi" in html and "Anonymous" in html and "Fondation X" in html
    assert "amina.private@example.org" not in html
    # The card contribution's fees sit right after it in the same journal group.
    block = html[html.index("Amina El Idrissi") :]
    assert block.index("Payment processor fee") < block.index("Host fee") < block.index("</tbody>")
    assert client.get(f"/{history.slug}/transactions/").status_code == 200
    check_ledger()


@pytest.mark.django_db
def test_api_values_are_signed_and_add_up_to_the_balance(client, history):
    values, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/collectives/{history.slug}/transactions?limit=3" + (f"&cursor={cursor}" if cursor else "")
        data = client.get(url).json()
        values += [row["amount"]["value"] for row in data["results"]]
        pages += 1
        cursor = data["next"]
        if not cursor:
            break
    assert pages > 2
    assert sum(values) == ledger.funds_account(history).balance
    assert (
        len(values)
        == ledger.Transfer.objects.filter(journal__transfers__isnull=False)
        .distinct()
        .filter(
            pk__in=ledger.Transfer.objects.filter(debit_account=ledger.funds_account(history)).values("pk")
            | ledger.Transfer.objects.filter(credit_account=ledger.funds_account(history)).values("pk")
        )
        .count()
    )


@pytest.mark.django_db
def test_filters_by_kind_and_dates(client, history):
    today = timezone.localdate()
    data = client.get(f"/api/v1/collectives/{history.slug}/transactions?kind=contribution").json()
    # Filters act on what a row shows (issue 9 item 9): the contribution lines, not their journals' fees.
    assert {r["kind"] for r in data["results"]} == {"contribution"} and len(data["results"]) == 2
    since = (today - dt.timedelta(days=30)).isoformat()
    data = client.get(f"/api/v1/collectives/{history.slug}/transactions?from={since}").json()
    assert all(r["date"] >= since for r in data["results"]) and data["results"]
    until = (today - dt.timedelta(days=30)).isoformat()
    data = client.get(f"/api/v1/collectives/{history.slug}/transactions?to={until}").json()
    assert [r["amount"]["value"] for r in data["results"]] == [1000, -39, -80]
    page = client.get(f"/{history.slug}/transactions?kind=added_funds&from=nonsense")
    assert page.status_code == 200 and "Fondation X" in page.content.decode()


@pytest.mark.django_db
def test_bad_cursor_is_a_clean_4xx(client, history):
    r = client.get(f"/api/v1/collectives/{history.slug}/transactions?cursor=%%%")
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"
    assert client.get("/api/v1/collectives/nope/transactions").status_code == 404


@pytest.mark.django_db
def test_pending_collective_statement_is_not_public(client, host):
    pending = make_collective(host, active=False)
    assert client.get(f"/{pending.slug}/transactions").status_code == 404
    assert client.get(f"/api/v1/collectives/{pending.slug}/transactions").status_code == 404


@pytest.mark.django_db
def test_csv_and_json_stream_thousands_of_rows(client, collective):
    n = 700
    for i in range(n):
        contribute(collective, 1000 + i, fee=30)
    funds = ledger.funds_account(collective)
    r = client.get(f"/{collective.slug}/transactions?format=csv")
    assert r.streaming and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_body(r))))
    assert len(rows) == 3 * n
    assert sum(int(row["amount_minor"]) for row in rows) == funds.balance
    r = client.get(f"/{collective.slug}/transactions?format=json")
    assert r.streaming
    results = json.loads(_body(r))["results"]
    assert len(results) == 3 * n and sum(x["amount"]["value"] for x in results) == funds.balance


@pytest.mark.django_db
@pytest.mark.parametrize("journals", [3, 40])
def test_query_counts_do_not_grow_with_rows(client, collective, django_assert_max_num_queries, journals):
    for _ in range(journals):
        contribute(collective, 1000, fee=30)
    with django_assert_max_num_queries(8):
        assert client.get(f"/{collective.slug}/transactions").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/collectives/{collective.slug}/transactions?limit=100").status_code == 200
    with django_assert_max_num_queries(6):
        r = client.get(f"/{collective.slug}/transactions?format=csv")
        _body(r)
