"""A collective's statement: every transfer touching its funds account, newest first, fees with their payment.

The page lists whole journals (two queries per page); the API lists transfers (one query per page); both
cost the same at any depth (row-value keysets on one index per side). CSV and JSON: transparency/exports.py.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencity.core.cursors import DATE, ID, decode_cursor, encode_cursor, rows_before
from opencity.ledger.models import Account, AccountKind, Transfer, TransferKind
from opencity.ledger.phrases import describe_transfer, journal_reason

FEE_KINDS = {TransferKind.HOST_FEE, TransferKind.PROCESSOR_FEE, TransferKind.BANK_FEE}
PROCESSOR_NAMES = {
    "stripe": "Stripe",
    "bank_transfer": _("Bank transfer"),
    "manual": _("Manual"),
    "demo": _("Demo card"),
}
CSV_COLUMNS = ["date", "journal", "kind", "counterparty", "description", "amount", "currency", "amount_minor", "is_fee"]


_RELATED = ("journal__person", "journal__host__profile", "debit_account__collective", "credit_account__collective")
ORDER = ("-effective_date", "-journal_id", "id")


def _filtered(qs: QuerySet[Transfer], *, kind: str, date_from: dt.date | None, date_to: dt.date | None):
    if kind:
        qs = qs.filter(kind=kind)  # what each row shows: the transfer's own kind (a host fee line is HOST_FEE)
    if date_from:
        qs = qs.filter(effective_date__gte=date_from)
    if date_to:
        qs = qs.filter(effective_date__lte=date_to)
    return qs


def statement_transfers(
    funds: Account | None, *, kind: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Transfer]:
    """Transfers touching `funds`, newest first; a journal's transfers together, payment before its fees."""
    if funds is None:
        return Transfer.objects.none()
    qs = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds)).select_related(*_RELATED)
    return _filtered(qs, kind=kind, date_from=date_from, date_to=date_to).order_by(*ORDER)


# Index per side: transfer_debit_stmt / transfer_credit_stmt (account, effective_date DESC, journal DESC, id).
SIDES = ("debit_account", "credit_account")


def _sides(funds: Account, filters: dict) -> list[QuerySet[Transfer]]:
    """The statement as two lists, each one ordered range of one index: `debit = funds OR credit = funds`
    cannot be read in order from an index, each side alone can (a transfer never has both sides equal)."""
    return [_filtered(Transfer.objects.filter(**{side: funds}), **filters).order_by(*ORDER) for side in SIDES]


def _union_sql(parts: list[QuerySet], columns: str, *, all_rows: bool = True) -> tuple[str, list]:
    """`SELECT columns FROM (part 1) UNION [ALL] …`: each part keeps its own ORDER BY and LIMIT (an index
    range), which SQLite allows only inside a subquery."""
    sqls, params = [], []
    for n, part in enumerate(parts):
        sql, p = part.query.sql_with_params()
        sqls.append(f"SELECT {columns} FROM ({sql}) AS side{n}")  # noqa: S608 (SQL Django compiled; values are params)
        params.extend(p)
    return (" UNION ALL " if all_rows else " UNION ").join(sqls), params


def _pk_in(sql: str, params: list) -> RawSQL:
    """`id IN (sql)` that starts from those few ids. PostgreSQL plans `id IN (subquery)` as a semi-join and
    may hash the whole table; `id = ANY(ARRAY(subquery))` runs the subquery first and probes the primary key."""
    vendor = connections[Transfer.objects.db].vendor
    shape = '"ledger_transfer"."id" = ANY(ARRAY({}))' if vendor == "postgresql" else '"ledger_transfer"."id" IN ({})'
    return RawSQL(shape.format(sql), params, output_field=BooleanField())  # noqa: S611 (compiled querysets)


def statement_page(
    funds: Account | None, *, filters: dict, cursor: str | None, limit: int
) -> tuple[list[Transfer], str | None]:
    """Keyset page of transfers over (effective_date desc, journal desc, id asc): stable while new money
    arrives, one query, and as cheap at any depth as on page 1: each side is bounded by the row value
    `(effective_date, journal) <= (d, j)` (its index range), only the cursor journal's own earlier lines
    are skipped by a filter."""
    after = decode_cursor(cursor, d=DATE, j=ID, i=ID)
    if funds is None:
        return [], None
    sides = _sides(funds, filters)
    if after is not None:
        day, journal_id, pk = after["d"], after["j"], after["i"]
        sides = [
            rows_before(side, ("effective_date", "journal"), (day, journal_id), inclusive=True).exclude(
                effective_date=day, journal_id=journal_id, id__lte=pk
            )
            for side in sides
        ]
    sql, params = _union_sql([side.values("id")[: limit + 1] for side in sides], "id")
    qs = Transfer.objects.filter(_pk_in(sql, params)).select_related(*_RELATED).order_by(*ORDER)
    rows = list(qs[: limit + 1])
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = encode_cursor({"d": last.effective_date.isoformat(), "j": last.journal_id, "i": last.pk})
    return rows[:limit], nxt


def _journal_cursor(cursor: str | None) -> tuple[dt.date, int] | None:
    after = decode_cursor(cursor, d=DATE, j=ID)
    return None if after is None else (after["d"], after["j"])


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)  # SQLite answers text


def statement_journal_page(
    funds: Account | None, *, filters: dict, cursor: str | None, limit: int
) -> tuple[list[Transfer], str | None]:
    """Keyset page of `limit` whole journals over (effective_date desc, journal desc): a payment never
    leaves its fees on the next page. Two queries whatever the page size and the depth: the page's journal
    keys (each side an index range below the cursor's row value), then all their transfers touching the
    account. The cursor is the last journal's (date, id)."""
    after = _journal_cursor(cursor)
    if funds is None:
        return [], None
    sides = _sides(funds, filters)
    if after is not None:
        sides = [rows_before(side, ("effective_date", "journal"), after) for side in sides]
    keys_of = [
        side.order_by("-effective_date", "-journal_id").values("effective_date", "journal_id").distinct()[: limit + 1]
        for side in sides
    ]
    sql, params = _union_sql(keys_of, "effective_date, journal_id", all_rows=False)
    with connections[Transfer.objects.db].cursor() as c:
        c.execute(f"{sql} ORDER BY 1 DESC, 2 DESC LIMIT %s", [*params, limit + 1])
        keys = [(_as_date(d), j) for d, j in c.fetchall()]
    nxt = None
    if len(keys) > limit:
        keys = keys[:limit]
        nxt = encode_cursor({"d": keys[-1][0].isoformat(), "j": keys[-1][1]})
    if not keys:
        return [], None
    rows = list(statement_transfers(funds, **filters).filter(journal_id__in=[j for _d, j in keys]))
    return rows, nxt


def _other(t: Transfer, funds_id: int) -> Account:
    return t.debit_account if t.credit_account_id == funds_id else t.credit_account


def counterparty(t: Transfer, funds_id: int) -> str:
    """Who is on the other side, as the public may see it: never an email, "Anonymous" when asked."""
    other = _other(t, funds_id)
    if t.kind == TransferKind.HOST_FEE:  # seen from the host's fees account, the other side is the collective
        return other.collective.name if other.kind == AccountKind.COLLECTIVE_FUNDS else t.journal.host.name
    if t.kind in FEE_KINDS:
        return str(PROCESSOR_NAMES.get(other.processor, other.processor or _("Bank")))
    if other.collective_id:
        return other.collective.name
    journal = t.journal
    if journal.anonymous:
        return gettext("Anonymous")
    if journal.counterparty_label:  # an organisation (never the individual behind it), or a typed name
        return journal.counterparty_label
    if journal.person_id:
        return journal.person.public_name
    return gettext("Anonymous")


def statement_row(t: Transfer, funds_id: int) -> dict:
    """One line from the collective's point of view: + money in, − money out."""
    signed = t.amount if t.credit_account_id == funds_id else -t.amount
    description = describe_transfer(t)
    reason = journal_reason(t.journal)
    if reason:
        description = f"{description} — {reason}"
    return {
        "date": t.effective_date,
        "journal": t.journal.public_id,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "counterparty": counterparty(t, funds_id),
        "description": description,
        "amount": signed,
        "currency": t.currency,
        "is_fee": t.kind in FEE_KINDS,
        "is_reversal": t.reversal_of_id is not None,
    }


def row_json(row: dict) -> dict:
    return {
        "date": row["date"].isoformat(),
        "journal": row["journal"],
        "kind": row["kind"],
        "counterparty": row["counterparty"],
        "description": row["description"],
        "amount": {"value": row["amount"], "currency": row["currency"]},
        "is_fee": row["is_fee"],
    }
