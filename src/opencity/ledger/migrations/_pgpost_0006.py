"""ledger_post_journal as migration 0006 installed it (no facts, locks after inserting), frozen: migrations
0006 to 0009 must not depend on today's pgpost.py (its function writes the rollups of migration 0010)."""

FUNCTION_SQL_0006 = """
CREATE OR REPLACE FUNCTION ledger_post_journal(
    p_public_id text, p_host_id bigint, p_kind text, p_description text, p_key text, p_effective_date date,
    p_created_at timestamptz, p_created_by_id bigint, p_source_type text, p_source_id text, p_person_id bigint,
    p_anonymous boolean, p_counterparty_label text, p_reverses_id bigint, p_reason text, p_currency text,
    p_debits bigint[], p_credits bigint[], p_amounts bigint[], p_kinds text[], p_descriptions text[],
    p_reversal_of bigint[], p_account_ids bigint[], p_debit_totals bigint[], p_credit_totals bigint[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    j_id bigint;
BEGIN
    INSERT INTO ledger_journal (public_id, host_id, kind, description, idempotency_key, effective_date, created_at,
        created_by_id, source_type, source_id, person_id, anonymous, counterparty_label, reverses_id, reason)
    VALUES (p_public_id, p_host_id, p_kind, p_description, p_key, p_effective_date, p_created_at, p_created_by_id,
        p_source_type, p_source_id, p_person_id, p_anonymous, p_counterparty_label, p_reverses_id, p_reason)
    RETURNING id INTO j_id;

    INSERT INTO ledger_transfer (journal_id, debit_account_id, credit_account_id, amount, currency, kind,
        description, idempotency_key, reversal_of_id, effective_date, created_at)
    SELECT j_id, v.d, v.c, v.a, p_currency, v.k, v.descr, p_key || ':' || (v.n - 1), v.rev, p_effective_date,
        p_created_at
    FROM unnest(p_debits, p_credits, p_amounts, p_kinds, p_descriptions, p_reversal_of)
        WITH ORDINALITY AS v(d, c, a, k, descr, rev, n);

    PERFORM 1 FROM ledger_account WHERE id = ANY(p_account_ids) ORDER BY id FOR NO KEY UPDATE;

    UPDATE ledger_account AS acc
    SET debits_posted = acc.debits_posted + v.dt, credits_posted = acc.credits_posted + v.ct
    FROM unnest(p_account_ids, p_debit_totals, p_credit_totals) AS v(id, dt, ct)
    WHERE acc.id = v.id;

    RETURN j_id;
END $$;
"""


def install_function_0006(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL_0006, None)
