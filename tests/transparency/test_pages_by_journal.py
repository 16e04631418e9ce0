"""The statement page is paginated by journal: a payment and its fees are never split across two pages."""

import re

import pytest

from opencity.ledger import services as ledger
from opencity.transparency import views
from tests.ledger.helpers import contribute, spend

TBODY = re.compile(r'<tbody class="journal" id="([^"]+)">(.*?)</tbody>', re.S)
NEXT = re.compile(r'<a rel="next" href="\?([^"]*)"')


def _walk(client, slug):
    pages, query = [], ""
    while True:
        html = client.get(f"/{slug}/transactions" + (f"?{query}" if query else "")).content.decode()
        pages.append({jid: body.count("<tr") for jid, body in TBODY.findall(html)})
        m = NEXT.search(html)
        if not m:
            return pages
        query = m.group(1).replace("&amp;", "&")


@pytest.mark.django_db
def test_a_page_holds_whole_journals(client, collective, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(5):
        contribute(collective, 1000 + i, fee=30)  # three legs each: payment, processor fee, host fee
    spend(collective, 100)  # one leg
    pages = _walk(client, collective.slug)
    assert [len(p) for p in pages] == [2, 2, 2]
    seen = [jid for p in pages for jid in p]
    assert len(seen) == len(set(seen)) == 6  # no journal on two pages
    legs = {jid: n for p in pages for jid, n in p.items()}
    # 3 legs + the "net" line for each contribution, the single expense leg alone.
    assert sorted(legs.values()) == [1, 4, 4, 4, 4, 4]


@pytest.mark.django_db
def test_journal_cursor_is_stable_while_money_arrives(client, collective, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(4):
        contribute(collective, 1000 + i, fee=30)
    html = client.get(f"/{collective.slug}/transactions").content.decode()
    first = [jid for jid, _ in TBODY.findall(html)]
    query = NEXT.search(html).group(1).replace("&amp;", "&")
    contribute(collective, 5000, fee=30)  # newer than everything: belongs before page one
    html = client.get(f"/{collective.slug}/transactions?{query}").content.decode()
    second = [jid for jid, _ in TBODY.findall(html)]
    assert len(second) == 2 and not set(first) & set(second)
    assert NEXT.search(html) is None


@pytest.mark.django_db
def test_a_mangled_cursor_shows_the_first_page(client, collective):
    contribute(collective, 1000, fee=30)
    r = client.get(f"/{collective.slug}/transactions?cursor=%%%")
    assert r.status_code == 200 and len(TBODY.findall(r.content.decode())) == 1


@pytest.mark.django_db
def test_api_cursor_is_stable_while_money_arrives(client, collective):
    for i in range(4):
        contribute(collective, 1000 + i, fee=30)
    funds = ledger.funds_account(collective)
    before = funds.balance
    url = f"/api/v1/collectives/{collective.slug}/transactions?limit=5"
    data = client.get(url).json()
    rows = data["results"]
    cursor = data["next"]
    contribute(collective, 7000, fee=30)  # arrives between two page reads
    while cursor:
        data = client.get(f"{url}&cursor={cursor}").json()
        rows += data["results"]
        cursor = data["next"]
    keys = [(r["journal"], r["kind"], r["amount"]["value"]) for r in rows]
    assert len(keys) == len(set(keys)) == 12  # every transfer of the first four journals, once
    assert sum(r["amount"]["value"] for r in rows) == before
