"""Issue 15: a statement page deep in the history costs what page 1 costs. The keyset compares row values,
`(effective_date, journal) < (d, j)`, on one index per side (debit / credit), so the index bounds the scan.

On both engines: walking the pages (HTML by journal, API by transfer) gives exactly the whole statement, in
order, each line once. On PostgreSQL: the plan of a deep page bounds both sides' index scans by the row value.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencity.ledger import services as ledger
from opencity.transparency import statements
from tests.ledger.helpers import contribute, spend

pytestmark = pytest.mark.django_db

NO_FILTERS = {"kind": "", "date_from": None, "date_to": None}


@pytest.fixture
def history(collective):
    """Journals over eight days, several on the same day, money in (three legs) and out (one leg)."""
    today = timezone.localdate()
    for n in range(16):
        contribute(collective, 1000 + n, fee=30, effective_date=today - dt.timedelta(days=n // 2))
        if n % 5 == 0:
            spend(collective, 100 + n)
    return ledger.funds_account(collective)


def _walk(page, funds, limit, filters=NO_FILTERS):
    """Every page of `page` (statement_journal_page or statement_page), following the cursors."""
    cursor, pages = None, []
    while True:
        rows, cursor = page(funds, filters=filters, cursor=cursor, limit=limit)
        pages.append(rows)
        if cursor is None:
            return pages


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_walking_journal_pages_gives_the_whole_statement_once(history, limit):
    everything = list(statements.statement_transfers(history))
    pages = _walk(statements.statement_journal_page, history, limit)
    journals = [[t.journal_id for t in page] for page in pages]
    assert all(len(set(j)) <= limit for j in journals)
    assert sum(len(set(j)) for j in journals) == len({t.journal_id for t in everything}) == 20
    assert [t.pk for page in pages for t in page] == [t.pk for t in everything]


@pytest.mark.parametrize("limit", [1, 4, 10])
def test_walking_api_pages_gives_the_whole_statement_once(history, limit):
    everything = list(statements.statement_transfers(history))
    pages = _walk(statements.statement_page, history, limit)
    assert all(len(p) == limit for p in pages[:-1])
    assert [t.pk for page in pages for t in page] == [t.pk for t in everything]
    assert len(everything) == 16 * 3 + 4


def test_filters_and_depth_together(history):
    filters = {**NO_FILTERS, "kind": "host_fee", "date_to": timezone.localdate() - dt.timedelta(days=2)}
    everything = list(statements.statement_transfers(history, **filters))
    assert len(everything) == 12
    want = [t.pk for t in everything]
    for page in (statements.statement_page, statements.statement_journal_page):
        assert [t.pk for rows in _walk(page, history, 5, filters) for t in rows] == want


def _deep_page_queries(funds, page) -> list[str]:
    deep = page(funds, filters=NO_FILTERS, cursor=None, limit=9)[1]
    with CaptureQueriesContext(connection) as ctx:
        page(funds, filters=NO_FILTERS, cursor=deep, limit=3)
    return [q["sql"] for q in ctx.captured_queries]


def _plan(sql: str) -> str:
    """The plan of `sql`. On PostgreSQL with sequential and bitmap scans off, so that the plan shows what the
    indexes can do whatever the size of this test's tables."""
    with transaction.atomic(), connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET LOCAL enable_seqscan = off")
            c.execute("SET LOCAL enable_bitmapscan = off")
            c.execute("EXPLAIN " + sql)
            return "\n".join(r[0] for r in c.fetchall())
        c.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(r[-1]) for r in c.fetchall())


@pytest.mark.parametrize("page", [statements.statement_journal_page, statements.statement_page])
def test_a_deep_page_is_an_index_range(history, page):
    plan = _plan(_deep_page_queries(history, page)[0])
    lines = plan.splitlines()
    if connection.vendor == "postgresql":
        for index in ("transfer_debit_stmt", "transfer_credit_stmt"):
            assert f"Index Scan using {index}" in plan or f"Index Only Scan using {index}" in plan, plan
        bounds = [line for line in lines if "Index Cond" in line and "ROW(effective_date, journal_id) <" in line]
        assert len(bounds) == 2, plan  # both sides bounded by the row value, not filtered row by row
        # The old keyset `effective_date < d OR (effective_date = d AND journal < j)` was a filter; only the
        # cursor journal's own earlier lines (API pages) may still be skipped by one.
        assert not any("Filter" in line and "effective_date < " in line for line in lines), plan
    else:  # SQLite searches each index by the account and the row value
        for index in ("transfer_debit_stmt", "transfer_credit_stmt"):
            assert any(index in line and "(effective_date,journal_id)<" in line for line in lines), plan
