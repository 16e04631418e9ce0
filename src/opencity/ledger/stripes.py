"""Stripes: how many journals of one host post at once without queueing on the host's own accounts.

Every contribution moves money through the host's shared accounts (processor clearing, processor fees, host
fees). Were each journal to lock and update those rows, all journals of a host would run one after the other,
each holding the rows through its commit. Those accounts have no limit to guard (only a collective's funds
may not go below zero), so they need no lock, only correct sums. PostgreSQL's `ledger_post_journal`
(ledger/pgpost.py) therefore:

1. claims a stripe for its transaction: the first n in 1…STRIPES whose transaction-scoped advisory lock
   (STRIPE_LOCK_CLASS, n) it gets without waiting (re-entrant: a transaction posting many journals keeps its
   stripe), and names it in the transaction-local setting STRIPE_SETTING;
2. locks and updates, as before, the guarded (funds) accounts' rows only;
3. adds the unguarded accounts' debits and credits to their row of `ledger_accountstripe` for that stripe,
   and the rollup trigger (ledger/rollups.py) puts their monthly rollups in the same stripe.

Only the holder of stripe n writes stripe n, so concurrent journals of one host touch disjoint rows. An
account's totals are its row's columns (what the other paths write under the row's lock: the portable ORM
path, bulk imports) plus its stripes: at most STRIPES small rows, read with the account (`Account.balance`,
`AccountQuerySet.with_stripes`, `striped_totals`). Guarded accounts are never striped. `check-ledger` compares
row + stripes with the transfers.
"""

from __future__ import annotations

from django.db.models import Sum

STRIPES = 64
STRIPE_LOCK_CLASS = 0x4C53  # the advisory locks' first key ("LS", ledger stripe), the second is the stripe
STRIPE_SETTING = "opencity.ledger_stripe"

# plpgsql, inside ledger_post_journal (declares `s int`): claim this transaction's stripe.
CLAIM_SQL = f"""
    s := nullif(current_setting('{STRIPE_SETTING}', true), '')::int;
    IF s IS NULL OR NOT pg_try_advisory_xact_lock({STRIPE_LOCK_CLASS}, s) THEN
        s := NULL;
        FOR n IN 1..{STRIPES} LOOP
            IF pg_try_advisory_xact_lock({STRIPE_LOCK_CLASS}, n) THEN
                s := n;
                EXIT;
            END IF;
        END LOOP;
        IF s IS NULL THEN  -- every stripe busy: queue for one
            s := 1 + pg_backend_pid() % {STRIPES};
            PERFORM pg_advisory_xact_lock({STRIPE_LOCK_CLASS}, s);
        END IF;
        PERFORM set_config('{STRIPE_SETTING}', s::text, true);
    END IF;
"""


def striped_totals() -> dict[int, tuple[int, int]]:
    """{account id: (debits, credits)} held in stripes, for every account that has any."""
    from opencity.ledger.models import AccountStripe

    rows = AccountStripe.objects.order_by().values_list("account").annotate(d=Sum("debits"), c=Sum("credits"))
    return {pk: (int(d), int(c)) for pk, d, c in rows}


def fold_stripes(connection) -> None:
    """Move what the stripes hold into their accounts' rows and empty them (undoing migration 0013; the
    totals stay the same). Rollups are rebuilt one row per key."""
    from opencity.ledger.rollups import rebuild_rollups

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE ledger_account SET "
            "debits_posted = debits_posted + (SELECT coalesce(sum(s.debits), 0) FROM ledger_accountstripe s "
            "WHERE s.account_id = ledger_account.id), "
            "credits_posted = credits_posted + (SELECT coalesce(sum(s.credits), 0) FROM ledger_accountstripe s "
            "WHERE s.account_id = ledger_account.id) "
            "WHERE id IN (SELECT account_id FROM ledger_accountstripe)"
        )
        cur.execute("DELETE FROM ledger_accountstripe")
    rebuild_rollups(connection)
