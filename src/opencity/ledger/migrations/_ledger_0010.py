"""The ledger's database code as migration 0010 installed it, frozen: the rollup triggers (one rollup row per
account, month, kind and reversed kind) and `ledger_post_journal` (locks every touched account). Migration 0010
installs these, and migration 0013 restores them when it is undone; today's versions live in ledger/rollups.py
and ledger/pgpost.py."""

FUNCTION_SQL_0010 = """
CREATE OR REPLACE FUNCTION ledger_post_journal(
    p_public_id text, p_host_id bigint, p_kind text, p_description text, p_key text, p_effective_date date,
    p_created_at timestamptz, p_created_by_id bigint, p_source_type text, p_source_id text, p_person_id bigint,
    p_anonymous boolean, p_counterparty_label text, p_reverses_id bigint, p_reason text, p_currency text,
    p_debits bigint[], p_credits bigint[], p_amounts bigint[], p_kinds text[], p_descriptions text[],
    p_reversal_of bigint[], p_account_ids bigint[], p_debit_totals bigint[], p_credit_totals bigint[],
    p_facts jsonb
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    j_id bigint;
BEGIN
    -- A retry: the first journal, and nothing moves (even if the money has been spent since).
    SELECT id INTO j_id FROM ledger_journal WHERE idempotency_key = p_key;
    IF FOUND THEN
        RETURN -j_id;
    END IF;

    -- Lock the accounts in id order, then refuse a guarded account below zero before writing anything.
    PERFORM 1 FROM ledger_account WHERE id = ANY(p_account_ids) ORDER BY id FOR NO KEY UPDATE;
    IF EXISTS (
        SELECT 1 FROM ledger_account AS acc
        JOIN unnest(p_account_ids, p_debit_totals, p_credit_totals) AS v(id, dt, ct) ON v.id = acc.id
        WHERE acc.debits_must_not_exceed_credits AND acc.debits_posted + v.dt > acc.credits_posted + v.ct
    ) THEN
        -- A twin holding these locks may have committed this very key meanwhile: the key decides.
        SELECT id INTO j_id FROM ledger_journal WHERE idempotency_key = p_key;
        RETURN coalesce(-j_id, 0);
    END IF;

    INSERT INTO ledger_journal (public_id, host_id, kind, description, idempotency_key, effective_date, created_at,
        created_by_id, source_type, source_id, person_id, anonymous, counterparty_label, reverses_id, reason, facts)
    VALUES (p_public_id, p_host_id, p_kind, p_description, p_key, p_effective_date, p_created_at, p_created_by_id,
        p_source_type, p_source_id, p_person_id, p_anonymous, p_counterparty_label, p_reverses_id, p_reason, p_facts)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO j_id;
    IF j_id IS NULL THEN  -- a twin committed the key between our look and our insert
        SELECT id INTO j_id FROM ledger_journal WHERE idempotency_key = p_key;
        RETURN -j_id;
    END IF;

    INSERT INTO ledger_transfer (journal_id, debit_account_id, credit_account_id, amount, currency, kind,
        description, idempotency_key, reversal_of_id, effective_date, created_at)
    SELECT j_id, v.d, v.c, v.a, p_currency, v.k, v.descr, p_key || ':' || (v.n - 1), v.rev, p_effective_date,
        p_created_at
    FROM unnest(p_debits, p_credits, p_amounts, p_kinds, p_descriptions, p_reversal_of)
        WITH ORDINALITY AS v(d, c, a, k, descr, rev, n);

    UPDATE ledger_account AS acc
    SET debits_posted = acc.debits_posted + v.dt, credits_posted = acc.credits_posted + v.ct
    FROM unnest(p_account_ids, p_debit_totals, p_credit_totals) AS v(id, dt, ct)
    WHERE acc.id = v.id;

    RETURN j_id;
END $$;
"""

PG_TRIGGER_0010 = [
    """
    CREATE OR REPLACE FUNCTION ledger_rollup_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ledger_monthlyrollup AS r (account_id, month, kind, reversal_kind, debits, credits, count)
        SELECT s.account_id, s.month, s.kind, s.reversal_kind, sum(s.debits)::bigint, sum(s.credits)::bigint,
            count(*)
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
        LATERAL (SELECT side.a AS account_id, d.month, d.kind, d.reversal_kind, side.dr AS debits, side.cr AS credits) s
        GROUP BY s.account_id, s.month, s.kind, s.reversal_kind
        ORDER BY s.account_id, s.month, s.kind, s.reversal_kind
        ON CONFLICT (account_id, month, kind, reversal_kind) DO UPDATE
        SET debits = r.debits + excluded.debits, credits = r.credits + excluded.credits,
            count = r.count + excluded.count;
        RETURN NULL;
    END $$;
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_transfer_rollup AFTER INSERT ON ledger_transfer
        REFERENCING NEW TABLE AS ledger_new_transfers
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_rollup_transfers();
    """,
]

_SQLITE_MONTH = "substr(NEW.effective_date, 1, 8) || '01'"
_SQLITE_REVERSED = "coalesce((SELECT o.kind FROM ledger_transfer o WHERE o.id = NEW.reversal_of_id), '')"
SQLITE_TRIGGER_0010 = [
    f"""
    CREATE TRIGGER IF NOT EXISTS ledger_transfer_rollup AFTER INSERT ON ledger_transfer
    BEGIN
        INSERT INTO ledger_monthlyrollup (account_id, month, kind, reversal_kind, debits, credits, count)
        VALUES (NEW.debit_account_id, {_SQLITE_MONTH}, NEW.kind, {_SQLITE_REVERSED}, NEW.amount, 0, 1)
        ON CONFLICT (account_id, month, kind, reversal_kind) DO UPDATE
        SET debits = debits + excluded.debits, count = count + 1;
        INSERT INTO ledger_monthlyrollup (account_id, month, kind, reversal_kind, debits, credits, count)
        VALUES (NEW.credit_account_id, {_SQLITE_MONTH}, NEW.kind, {_SQLITE_REVERSED}, 0, NEW.amount, 1)
        ON CONFLICT (account_id, month, kind, reversal_kind) DO UPDATE
        SET credits = credits + excluded.credits, count = count + 1;
    END;
    """,  # noqa: S608 (constant SQL fragments, no input)
]


def install_rollup_triggers_0010(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_transfer_rollup;", None)
    for sql in {"postgresql": PG_TRIGGER_0010, "sqlite": SQLITE_TRIGGER_0010}.get(vendor, []):
        schema_editor.execute(sql, None)


def install_function_0010(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL_0010, None)


# Before migration 0010 the function took no facts (a second UPDATE set them) and locked after inserting.
SIGNATURE_0006 = (
    "ledger_post_journal(text, bigint, text, text, text, date, timestamptz, bigint, text, text, bigint, boolean, "
    "text, bigint, text, text, bigint[], bigint[], bigint[], text[], text[], bigint[], bigint[], bigint[], bigint[])"
)


def replace_function_0006(apps, schema_editor) -> None:
    """Migration 0010: drop the facts-less version of 0006, install 0010's (locks before the transfers)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE_0006}", None)
        install_function_0010(apps, schema_editor)


def restore_function_0006(apps, schema_editor) -> None:
    """Migration 0010 backwards: the rollup table goes, so back to the function of migration 0006."""
    from opencity.ledger.migrations._pgpost_0006 import install_function_0006

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_post_journal", None)
        install_function_0006(apps, schema_editor)
