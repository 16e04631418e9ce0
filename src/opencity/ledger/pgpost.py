"""PostgreSQL fast path of `post_journal`: the whole journal in ONE round trip.

One multi-statement query (PostgreSQL runs it as a single implicit transaction when no transaction is
open; inside a caller's transaction it runs under a savepoint):

1. insert the journal (its unique idempotency key refuses a retry or a racing twin) and, in the same
   statement, its transfers;
2. lock the touched accounts in id order (`FOR NO KEY UPDATE`: never blocks other journals' foreign-key
   checks, never deadlocks);
3. bump the cached totals in one UPDATE. The CHECK constraint `account_no_overdraft` refuses a funds
   account below zero: the database itself enforces the limit, and we map that refusal to
   InsufficientFunds.

Same semantics as the portable ORM path in services.py (tests run both, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import Account, Journal, Transfer

J, T, A = Journal._meta.db_table, Transfer._meta.db_table, Account._meta.db_table
OVERDRAFT_CONSTRAINT = "account_no_overdraft"


def _constraint(exc: IntegrityError) -> str:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def post(*, host, legs, fields: dict, debits: dict[int, int], credits: dict[int, int], ids: list[int]) -> Journal:
    """Insert, lock, check and bump in one round trip; returns the saved Journal (without a re-read)."""
    public_id = Journal._meta.get_field("public_id").get_default()
    created_at = timezone.now()
    effective_date: dt.date = fields["effective_date"]
    key = fields["idempotency_key"]
    journal_cols = [
        "public_id", "host_id", "kind", "description", "idempotency_key", "effective_date", "created_at",
        "created_by_id", "source_type", "source_id", "person_id", "anonymous", "counterparty_label",
        "reverses_id", "reason",
    ]
    journal_vals = [
        public_id, host.pk, fields["kind"], fields["description"], key, effective_date, created_at,
        fields["created_by_id"], fields["source_type"], fields["source_id"], fields["person_id"],
        fields["anonymous"], fields["counterparty_label"], fields["reverses_id"], fields["reason"],
    ]
    rows_sql, params = [], list(journal_vals)
    params += [host.currency, effective_date, created_at]
    for i, leg in enumerate(legs):
        rows_sql.append("(%s::bigint, %s::bigint, %s::bigint, %s, %s, %s, %s::bigint)")
        params += [
            leg.debit.pk, leg.credit.pk, leg.amount, leg.kind, (leg.description or fields["description"])[:300],
            f"{key}:{i}", leg.reversal_of.pk if leg.reversal_of is not None else None,
        ]
    in_list = ", ".join(["%s"] * len(ids))
    params += ids
    debit_case = " ".join("WHEN %s THEN %s::bigint" for pk in ids if debits.get(pk))
    credit_case = " ".join("WHEN %s THEN %s::bigint" for pk in ids if credits.get(pk))
    for pk in ids:
        if debits.get(pk):
            params += [pk, debits[pk]]
    for pk in ids:
        if credits.get(pk):
            params += [pk, credits[pk]]
    params += ids
    # Only table names from our own models and %s placeholders are interpolated; every value is a parameter.
    placeholders = ", ".join(["%s"] * len(journal_cols))
    sql = (
        f"WITH j AS (INSERT INTO {J} ({', '.join(journal_cols)}) VALUES ({placeholders}) RETURNING id), "  # noqa: S608
        f"t AS (INSERT INTO {T} (journal_id, debit_account_id, credit_account_id, amount, currency, kind, "
        f"description, idempotency_key, reversal_of_id, effective_date, created_at) "
        f"SELECT j.id, v.d, v.c, v.a, %s, v.k, v.descr, v.key, v.rev, %s, %s "
        f"FROM j, (VALUES {', '.join(rows_sql)}) AS v(d, c, a, k, descr, key, rev)) "
        f"SELECT id FROM j; "
        f"SELECT id FROM {A} WHERE id IN ({in_list}) ORDER BY id FOR NO KEY UPDATE; "
        f"UPDATE {A} SET "
        f"debits_posted = debits_posted + {'CASE id ' + debit_case + ' ELSE 0 END' if debit_case else '0'}, "
        f"credits_posted = credits_posted + {'CASE id ' + credit_case + ' ELSE 0 END' if credit_case else '0'} "
        f"WHERE id IN ({in_list})"
    )
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: an error undoes this journal only
                journal_id = _run(sql, params)
        else:
            journal_id = _run(sql, params)  # autocommit: one implicit transaction, one round trip
    except IntegrityError as exc:
        if _constraint(exc) == OVERDRAFT_CONSTRAINT:
            raise InsufficientFunds() from None
        raise
    journal = Journal(
        id=journal_id,
        public_id=public_id,
        host=host,
        created_at=created_at,
        **{k: v for k, v in fields.items() if k not in ("host",)},
    )
    journal._state.adding = False
    journal._state.db = connection.alias
    return journal


def _run(sql: str, params: list) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]
