"""Grow one collective to N transfers by set-based SQL, in the shapes the app writes (PostgreSQL only).

Each grown journal is a card contribution as `record_incoming_payment` posts it: the payment from the
Stripe clearing account, the processor fee, the host fee; keys `contribution_con_<id>_paid` and `…:0..2`,
public ids `jrn_…` / `con_…`, facts `{"what": "contribution"}` (every third with the tier's name), a demo
person on most of them, dates spread evenly over the five years before today.
"""

from __future__ import annotations

GROW_SQL = """
WITH params AS (
    SELECT %(journals)s::bigint AS n, current_date - 1826 AS first_day
)
INSERT INTO ledger_journal (id, public_id, kind, description, idempotency_key, effective_date, created_at,
    source_type, source_id, anonymous, counterparty_label, reason, host_id, person_id, facts)
SELECT %(journal_base)s + i,
       'jrn_' || substr(md5('scale-jrn-' || i), 1, 12),
       'contribution', '',
       'contribution_con_' || substr(md5('scale-con-' || i), 1, 12) || '_paid',
       first_day + (i * 1825 / n)::int,
       (first_day + (i * 1825 / n)::int) + time '12:00' + (i %% 3600) * interval '1 second',
       'contribution', 'con_' || substr(md5('scale-con-' || i), 1, 12),
       false, '', '', %(host)s,
       CASE WHEN i %% 7 = 0 THEN NULL ELSE (%(people)s::bigint[])[1 + i %% %(people_count)s] END,
       CASE WHEN i %% 3 = 0 THEN jsonb_build_object('what', 'contribution', 'ref', %(tier)s::text)
            ELSE '{"what": "contribution"}'::jsonb END
FROM params, generate_series(1, (SELECT n FROM params)) AS i
"""

TRANSFERS_SQL = """
INSERT INTO ledger_transfer (id, amount, currency, kind, description, idempotency_key, created_at,
    credit_account_id, debit_account_id, journal_id, reversal_of_id, effective_date)
SELECT %(transfer_base)s + 1 + 3 * (j.id - %(journal_base)s - 1) + leg,
       CASE leg WHEN 0 THEN amount
                WHEN 1 THEN 25 + amount * 14 / 1000
                ELSE (amount * %(fee_per_10000)s + 5000) / 10000 END,
       %(currency)s,
       CASE leg WHEN 0 THEN 'contribution' WHEN 1 THEN 'processor_fee' ELSE 'host_fee' END,
       '',
       j.idempotency_key || ':' || leg,
       j.created_at,
       CASE leg WHEN 0 THEN %(funds)s WHEN 1 THEN %(processor_fees)s ELSE %(host_fees)s END,
       CASE leg WHEN 0 THEN %(clearing)s ELSE %(funds)s END,
       j.id, NULL, j.effective_date
FROM (SELECT id, idempotency_key, created_at, effective_date,
             500 + ((id - %(journal_base)s) * 37) %% 9500 AS amount
      FROM ledger_journal WHERE id > %(journal_base)s) AS j
CROSS JOIN generate_series(0, 2) AS leg
WHERE %(fee_per_10000)s > 0 OR leg < 2
"""

# The transfers' sums go into the accounts' rows, so whatever stripes held (ledger/stripes.py) is emptied first.
TOTALS_SQL = """
DELETE FROM ledger_accountstripe;
UPDATE ledger_account a
SET debits_posted = coalesce((SELECT sum(amount) FROM ledger_transfer t WHERE t.debit_account_id = a.id), 0),
    credits_posted = coalesce((SELECT sum(amount) FROM ledger_transfer t WHERE t.credit_account_id = a.id), 0)
"""


def grow(
    cursor,
    *,
    transfers: int,
    host: int,
    funds: int,
    clearing: int,
    processor_fees: int,
    host_fees: int,
    currency: str,
    fee_per_10000: int,
    people: list[int],
    tier: str,
) -> int:
    """Add about `transfers` transfers (three per journal) to `funds`; returns how many were added."""
    cursor.execute("SELECT coalesce(max(id), 0) FROM ledger_journal")
    journal_base = cursor.fetchone()[0]
    cursor.execute("SELECT coalesce(max(id), 0) FROM ledger_transfer")
    transfer_base = cursor.fetchone()[0]
    legs = 3 if fee_per_10000 > 0 else 2
    journals = max(1, transfers // legs)
    args = {
        "journals": journals,
        "journal_base": journal_base,
        "transfer_base": transfer_base,
        "host": host,
        "people": people,
        "people_count": len(people),
        "tier": tier,
        "funds": funds,
        "clearing": clearing,
        "processor_fees": processor_fees,
        "host_fees": host_fees,
        "currency": currency,
        "fee_per_10000": fee_per_10000,
    }
    cursor.execute(GROW_SQL, args)
    cursor.execute(TRANSFERS_SQL, args)
    added = cursor.rowcount
    for table in ("ledger_journal", "ledger_transfer"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    cursor.execute(TOTALS_SQL)
    return added
