"""The database refuses to edit history: triggers reject UPDATE and DELETE of transfers (and journal deletes).

PostgreSQL: a plpgsql trigger. SQLite: a `RAISE(ABORT)` trigger. The only sanctioned wipe is Django's
`flush` (tests between transactional cases, `opencity flush`): PostgreSQL flushes with TRUNCATE, which
row triggers do not see; SQLite flushes with DELETE, so its delete triggers ask the SQL function
`ledger_wipe_allowed()`, which this process answers True only while `flush` runs (see the `flush`
command of this app). Any other client (the sqlite3 shell, a stray ORM delete) is refused.

Note for future migrations: SQLite "alters" a table by rebuilding it, which drops its triggers. A later
migration that alters ledger_transfer or ledger_journal must re-run `install_triggers` (and, for
ledger_transfer, `rollups.install_rollup_triggers`: the monthly rollups), one that alters ledger_account must
re-run `install_account_triggers` (the trigger tests in tests/ledger/test_integrity.py and
tests/ledger/test_rollups.py fail if it does not).
"""

from __future__ import annotations

import contextlib

_wipe_depth = 0

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger history is immutable: % on % refused; post a reversal instead', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END $$;
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_transfer_immutable BEFORE UPDATE OR DELETE ON ledger_transfer
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_journal_no_delete BEFORE DELETE ON ledger_journal
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_journal_keys_immutable BEFORE UPDATE OF host_id, kind, idempotency_key, effective_date,
        reverses_id ON ledger_journal FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_journal_keys_immutable ON ledger_journal;",
    "DROP TRIGGER IF EXISTS ledger_journal_no_delete ON ledger_journal;",
    "DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer;",
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS ledger_transfer_no_update BEFORE UPDATE ON ledger_transfer
    BEGIN SELECT RAISE(ABORT, 'ledger history is immutable: UPDATE on ledger_transfer refused'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_transfer_no_delete BEFORE DELETE ON ledger_transfer WHEN NOT ledger_wipe_allowed()
    BEGIN SELECT RAISE(ABORT, 'ledger history is immutable: DELETE on ledger_transfer refused'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_journal_no_delete BEFORE DELETE ON ledger_journal WHEN NOT ledger_wipe_allowed()
    BEGIN SELECT RAISE(ABORT, 'ledger history is immutable: DELETE on ledger_journal refused'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_journal_keys_immutable BEFORE UPDATE OF host_id, kind, idempotency_key, effective_date,
        reverses_id ON ledger_journal
    BEGIN SELECT RAISE(ABORT, 'ledger history is immutable: UPDATE on ledger_journal refused'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_journal_keys_immutable;",
    "DROP TRIGGER IF EXISTS ledger_journal_no_delete;",
    "DROP TRIGGER IF EXISTS ledger_transfer_no_delete;",
    "DROP TRIGGER IF EXISTS ledger_transfer_no_update;",
]


def _statements(vendor: str, forward: bool) -> list[str]:
    if vendor == "postgresql":
        return PG_FORWARD if forward else PG_BACKWARD
    if vendor == "sqlite":
        return SQLITE_FORWARD if forward else SQLITE_BACKWARD
    return []


def install_triggers(apps, schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, True):
        schema_editor.execute(sql, None)


def remove_triggers(apps, schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, False):
        schema_editor.execute(sql, None)


def _wipe_allowed() -> int:
    return 1 if _wipe_depth > 0 else 0


@contextlib.contextmanager
def wipe_allowed():
    """Only for Django's `flush`: lets SQLite's delete triggers pass while the whole database is emptied."""
    global _wipe_depth
    _wipe_depth += 1
    try:
        yield
    finally:
        _wipe_depth -= 1


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: teach each SQLite connection `ledger_wipe_allowed()`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("ledger_wipe_allowed", 0, _wipe_allowed)


# --- accounts: identity and overdraft guard -----------------------------------------------------------
# An account's identity (host, kind, owner collective, processor, currency) and its no-overdraft flag never
# change once it exists: flipping the flag would let a funds account go below zero, and moving an account to
# another collective or host would move its money without a transfer. Its cached totals do change (every
# posting bumps them); `check-ledger` compares them with the transfers. Only actual changes are refused, so an
# ORM save that writes the same values passes.

ACCOUNT_IDENTITY_COLUMNS = (
    "host_id",
    "kind",
    "collective_id",
    "processor",
    "currency",
    "debits_must_not_exceed_credits",
)

PG_ACCOUNT_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION ledger_account_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger account identity is immutable: UPDATE of account % refused', OLD.id
            USING ERRCODE = 'restrict_violation';
    END $$;
    """,
    "CREATE OR REPLACE TRIGGER ledger_account_identity_immutable BEFORE UPDATE ON ledger_account FOR EACH ROW WHEN ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ACCOUNT_IDENTITY_COLUMNS)
    + ") EXECUTE FUNCTION ledger_account_refuse_change();",
]
PG_ACCOUNT_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_account_identity_immutable ON ledger_account;",
    "DROP FUNCTION IF EXISTS ledger_account_refuse_change();",
]
SQLITE_ACCOUNT_FORWARD = [
    "CREATE TRIGGER IF NOT EXISTS ledger_account_identity_immutable BEFORE UPDATE ON ledger_account WHEN "
    + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ACCOUNT_IDENTITY_COLUMNS)
    + " BEGIN SELECT RAISE(ABORT, 'ledger account identity is immutable: UPDATE on ledger_account refused'); END;",
]
SQLITE_ACCOUNT_BACKWARD = ["DROP TRIGGER IF EXISTS ledger_account_identity_immutable;"]


def install_account_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_ACCOUNT_FORWARD, "sqlite": SQLITE_ACCOUNT_FORWARD}.get(vendor, []):
        schema_editor.execute(sql, None)


def remove_account_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_ACCOUNT_BACKWARD, "sqlite": SQLITE_ACCOUNT_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql, None)


# --- hosts: the currency of a host with books ----------------------------------------------------------
# Every account of a host is in the host's currency (and an account's currency never changes), so once the
# host has ledger accounts (host_create opens them) its currency is fixed: changing it would make every
# posting fail. The Django admin shows it read-only and Host.clean refuses it; this is the last line.

_HOST_HAS_BOOKS = "EXISTS (SELECT 1 FROM ledger_account WHERE ledger_account.host_id = OLD.id)"
# PostgreSQL trigger WHEN clauses cannot hold subqueries: the function looks for accounts itself.
PG_HOST_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_host_currency_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT {_HOST_HAS_BOOKS} THEN RETURN NEW; END IF;
        RAISE EXCEPTION 'the currency of host % is fixed: it has ledger accounts', OLD.id
            USING ERRCODE = 'restrict_violation';
    END $$;
    """,
    "CREATE OR REPLACE TRIGGER ledger_host_currency_immutable BEFORE UPDATE ON hosting_host FOR EACH ROW "
    "WHEN (OLD.currency IS DISTINCT FROM NEW.currency) EXECUTE FUNCTION ledger_host_currency_refuse_change();",
]
PG_HOST_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_host_currency_immutable ON hosting_host;",
    "DROP FUNCTION IF EXISTS ledger_host_currency_refuse_change();",
]
SQLITE_HOST_FORWARD = [
    "CREATE TRIGGER IF NOT EXISTS ledger_host_currency_immutable BEFORE UPDATE OF currency ON hosting_host "
    f"WHEN OLD.currency IS NOT NEW.currency AND {_HOST_HAS_BOOKS} "
    "BEGIN SELECT RAISE(ABORT, 'the currency of a host with ledger accounts is fixed'); END;",
]
SQLITE_HOST_BACKWARD = ["DROP TRIGGER IF EXISTS ledger_host_currency_immutable;"]


def install_host_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_HOST_FORWARD, "sqlite": SQLITE_HOST_FORWARD}.get(vendor, []):
        schema_editor.execute(sql, None)


def remove_host_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_HOST_BACKWARD, "sqlite": SQLITE_HOST_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql, None)
