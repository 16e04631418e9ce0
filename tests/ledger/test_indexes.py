"""Issue 15: the ledger tables carry the indexes their queries use and no other (mapping in ledger/models.py)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opencity.ledger import selectors

pytestmark = pytest.mark.django_db

EXPECTED = {
    "ledger_account": {"account_unique_collective_owner", "account_unique_host_owner", "host_id"},
    "ledger_journal": {
        "idempotency_key",
        "journal_source",
        "ledger_jour_host_id_c0f24a_idx",
        "journal_added_funds",
        "created_by_id",
        "person_id",
        "public_id",
        "reverses_id",
    },
    "ledger_transfer": {
        "transfer_debit_stmt",
        "transfer_credit_stmt",
        "transfer_date",
        "transfer_expense",
        "journal_id",
        "idempotency_key",
        "reversal_of_id",
    },
}


def _indexes(table: str) -> set[str]:
    with connection.cursor() as c:
        constraints = connection.introspection.get_constraints(c, table)
    names = set()
    for name, info in constraints.items():
        if not info["index"] and not info["unique"] or info["primary_key"] or info["foreign_key"] or info["check"]:
            continue
        # Django names some indexes with a hash: name them by their column instead.
        column = info["columns"][0] if len(info["columns"]) == 1 else None
        names.add(name if name in EXPECTED[table] or column is None else column)
    return names


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_ledger_tables_have_exactly_the_indexes_their_queries_use(table):
    assert _indexes(table) == EXPECTED[table]


def test_the_added_funds_list_reads_its_partial_index(host):
    """PostgreSQL's plan uses it; SQLite (no statistics on a test's empty tables) at least has it, partial."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.added_funds_entries(host)
    sql = ctx.captured_queries[0]["sql"]
    with transaction.atomic(), connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET LOCAL enable_seqscan = off")
            c.execute("EXPLAIN " + sql)
            plan = "\n".join(r[0] for r in c.fetchall())
            assert "journal_added_funds" in plan, plan
        else:
            c.execute("SELECT sql FROM sqlite_master WHERE name = 'journal_added_funds'")
            (definition,) = c.fetchone()
            assert "WHERE" in definition and "'added_funds'" in definition, definition
