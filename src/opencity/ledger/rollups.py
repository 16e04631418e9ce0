"""Monthly rollups (`ledger_monthlyrollup`): per account, month, kind and reversed kind, the debits, credits
and number of transfers. Pages read these few rows instead of summing millions of transfers. A host's own
accounts (unguarded: clearing, fees…) are posted without locking their rows, so their rollups are split in
stripes, one per concurrent writer (ledger/stripes.py); a key's stripes add up, and readers sum them.

They are derived data kept by the DATABASE, so every path that inserts transfers keeps them (post_journal's
PostgreSQL function, its portable ORM path, set-based imports, a hand-written INSERT), in the same
transaction as the transfers:

- PostgreSQL: one statement-level AFTER INSERT trigger with a transition table: one aggregated
  `INSERT … ON CONFLICT DO UPDATE` per INSERT statement, rows taken in key order (account first). A guarded
  account's rows (stripe 0) are only updated under that account's lock, taken in id order before the
  transfers; an unguarded account's rows in stripe n only by the holder of stripe n (or, in stripe 0, under
  the account's lock by the paths that take it): no two writers wait on each other in a cycle.
- SQLite: a row-level AFTER INSERT trigger with two upserts (the debit side and the credit side).

Transfers are never updated nor deleted (dbguard), so INSERT is the only event to follow. Django's flush
empties both tables. SQLite rebuilds a table when a migration alters it, which drops its triggers: a later
migration that alters ledger_transfer must re-run `install_rollup_triggers`. `check-ledger` compares the
rollups with the transfers (`rollup_differences`); `rebuild_rollups` recomputes them from the transfers.
"""

from __future__ import annotations

from opencity.ledger.stripes import STRIPE_SETTING

PG_TRIGGER_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_rollup_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        -- The stripe this transaction holds (ledger/stripes.py), for the accounts posted without their row's lock.
        s smallint := coalesce(nullif(current_setting('{STRIPE_SETTING}', true), ''), '0')::smallint;
    BEGIN
        INSERT INTO ledger_monthlyrollup AS r (account_id, month, kind, reversal_kind, stripe, debits, credits, count)
        SELECT x.account_id, x.month, x.kind, x.reversal_kind,
            CASE WHEN a.debits_must_not_exceed_credits THEN 0 ELSE s END, sum(x.debits)::bigint,
            sum(x.credits)::bigint, count(*)
        FROM (
            -- The reversed kind by primary key, row by row: a join would let the planner, who knows nothing
            -- of the transition table, scan every transfer.
            SELECT n.debit_account_id AS account_id, date_trunc('month', n.effective_date)::date AS month,
                n.kind, CASE WHEN n.reversal_of_id IS NULL THEN '' ELSE coalesce(
                    (SELECT o.kind FROM ledger_transfer o WHERE o.id = n.reversal_of_id), '') END AS reversal_kind,
                n.amount AS debits, 0::bigint AS credits, n.credit_account_id AS other
            FROM ledger_new_transfers n
        ) d,
        LATERAL (VALUES (d.account_id, d.debits, d.credits), (d.other, d.credits, d.debits)) AS side(a, dr, cr),
        LATERAL (SELECT side.a AS account_id, d.month, d.kind, d.reversal_kind, side.dr AS debits, side.cr AS credits) x
        JOIN ledger_account a ON a.id = x.account_id
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (account_id, month, kind, reversal_kind, stripe) DO UPDATE
        SET debits = r.debits + excluded.debits, credits = r.credits + excluded.credits,
            count = r.count + excluded.count;
        RETURN NULL;
    END $$;
    """,  # noqa: S608 (constant SQL fragments, no input)
    """
    CREATE OR REPLACE TRIGGER ledger_transfer_rollup AFTER INSERT ON ledger_transfer
        REFERENCING NEW TABLE AS ledger_new_transfers
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_rollup_transfers();
    """,
]
PG_TRIGGER_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_transfer_rollup ON ledger_transfer;",
    "DROP FUNCTION IF EXISTS ledger_rollup_transfers();",
]

_SQLITE_MONTH = "substr(NEW.effective_date, 1, 8) || '01'"
_SQLITE_REVERSED = "coalesce((SELECT o.kind FROM ledger_transfer o WHERE o.id = NEW.reversal_of_id), '')"
SQLITE_TRIGGER_FORWARD = [
    f"""
    CREATE TRIGGER IF NOT EXISTS ledger_transfer_rollup AFTER INSERT ON ledger_transfer
    BEGIN
        INSERT INTO ledger_monthlyrollup (account_id, month, kind, reversal_kind, debits, credits, count)
        VALUES (NEW.debit_account_id, {_SQLITE_MONTH}, NEW.kind, {_SQLITE_REVERSED}, NEW.amount, 0, 1)
        ON CONFLICT (account_id, month, kind, reversal_kind, stripe) DO UPDATE
        SET debits = debits + excluded.debits, count = count + 1;
        INSERT INTO ledger_monthlyrollup (account_id, month, kind, reversal_kind, debits, credits, count)
        VALUES (NEW.credit_account_id, {_SQLITE_MONTH}, NEW.kind, {_SQLITE_REVERSED}, 0, NEW.amount, 1)
        ON CONFLICT (account_id, month, kind, reversal_kind, stripe) DO UPDATE
        SET credits = credits + excluded.credits, count = count + 1;
    END;
    """,  # noqa: S608 (constant SQL fragments, no input)
]
SQLITE_TRIGGER_BACKWARD = ["DROP TRIGGER IF EXISTS ledger_transfer_rollup;"]
# A trigger is not replaced in place on SQLite: installing drops the one there (another migration's) first.
SQLITE_TRIGGER_FORWARD = SQLITE_TRIGGER_BACKWARD + SQLITE_TRIGGER_FORWARD


def _month_sql(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"substr({column}, 1, 8) || '01'"


def expected_sql(vendor: str) -> str:
    """The rollups as the transfers say they should be (one aggregate over all transfers)."""
    month = _month_sql(vendor, "t.effective_date")
    big = "::bigint" if vendor == "postgresql" else ""
    return f"""
        SELECT s.account_id, s.month, s.kind, s.reversal_kind, sum(s.debits){big}, sum(s.credits){big}, count(*)
        FROM (
            SELECT t.debit_account_id AS account_id, {month} AS month, t.kind AS kind,
                coalesce(o.kind, '') AS reversal_kind, t.amount AS debits, 0 AS credits
            FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t.reversal_of_id
            UNION ALL
            SELECT t.credit_account_id, {month}, t.kind, coalesce(o.kind, ''), 0, t.amount
            FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t.reversal_of_id
        ) s
        GROUP BY s.account_id, s.month, s.kind, s.reversal_kind
    """  # noqa: S608 (constant SQL fragments, no input)


def _statements(vendor: str, forward: bool) -> list[str]:
    table = {
        ("postgresql", True): PG_TRIGGER_FORWARD,
        ("postgresql", False): PG_TRIGGER_BACKWARD,
        ("sqlite", True): SQLITE_TRIGGER_FORWARD,
        ("sqlite", False): SQLITE_TRIGGER_BACKWARD,
    }
    return table.get((vendor, forward), [])


def install_rollup_triggers(apps, schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, True):
        schema_editor.execute(sql, None)


def remove_rollup_triggers(apps, schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, False):
        schema_editor.execute(sql, None)


def rebuild_rollups(connection) -> None:
    """Recompute every rollup from the transfers (the migration that introduces them; a repair)."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM ledger_monthlyrollup")
        cur.execute(
            "INSERT INTO ledger_monthlyrollup (account_id, month, kind, reversal_kind, debits, credits, count) "
            + expected_sql(connection.vendor)
        )


def rebuild_rollups_migration(apps, schema_editor) -> None:
    rebuild_rollups(schema_editor.connection)


def _key(row) -> tuple:
    account_id, month, kind, reversal_kind = row[:4]
    return (account_id, str(month)[:10], kind, reversal_kind)


def rollup_differences(connection, limit: int = 20) -> list[str]:
    """Every (account, month, kind, reversed kind) whose rollup differs from its transfers' sums."""
    with connection.cursor() as cur:
        cur.execute(expected_sql(connection.vendor))
        expected = {_key(r): tuple(int(v) for v in r[4:]) for r in cur.fetchall()}
        cur.execute(  # the stripes of a key (ledger/stripes.py) add up
            "SELECT account_id, month, kind, reversal_kind, sum(debits), sum(credits), sum(count) "
            "FROM ledger_monthlyrollup GROUP BY account_id, month, kind, reversal_kind"
        )
        actual = {_key(r): tuple(int(v) for v in r[4:]) for r in cur.fetchall()}
    out = []
    for key in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(key, (0, 0, 0)), actual.get(key, (0, 0, 0))
        if want != have:
            account_id, month, kind, reversal_kind = key
            what = f"{kind} reversing {reversal_kind}" if reversal_kind else kind
            out.append(
                f"rollup differs: account {account_id} {month[:7]} {what} has debits/credits/count "
                f"{have[0]}/{have[1]}/{have[2]}, transfers say {want[0]}/{want[1]}/{want[2]}"
            )
            if len(out) >= limit:
                break
    return out
