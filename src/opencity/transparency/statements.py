"""A collective's statement: every transfer touching its funds account, newest first, fees with their payment.

The page lists whole journals (two queries per page); the API lists transfers (one query per page); CSV and
JSON are one streamed query, one row per transfer, whatever the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencity.core.cursors import DATE, ID, decode_cursor, encode_cursor
from opencity.ledger.models import Account, Transfer, TransferKind
from opencity.money import Money

FEE_KINDS = {TransferKind.HOST_FEE, TransferKind.PROCESSOR_FEE, TransferKind.BANK_FEE}
PROCESSOR_NAMES = {
    "stripe": "Stripe",
    "bank_transfer": _("Bank transfer"),
    "manual": _("Manual"),
    "demo": _("Demo card"),
}
CSV_COLUMNS = ["date", "journal", "kind", "counterparty", "description", "amount", "currency", "amount_minor", "is_fee"]


def statement_transfers(
    funds: Account | None, *, kind: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Transfer]:
    """Transfers touching `funds`, newest first; a journal's transfers together, payment before its fees."""
    if funds is None:
        return Transfer.objects.none()
    qs = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds)).select_related(
        "journal__person",
        "journal__host__profile",
        "debit_account__collective",
        "credit_account__collective",
    )
    if kind:
        qs = qs.filter(journal__kind=kind)
    if date_from:
        qs = qs.filter(effective_date__gte=date_from)
    if date_to:
        qs = qs.filter(effective_date__lte=date_to)
    return qs.order_by("-effective_date", "-journal_id", "id")


def statement_page(qs: QuerySet[Transfer], *, cursor: str | None, limit: int) -> tuple[list[Transfer], str | None]:
    """Keyset page over (effective_date desc, journal desc, id asc): stable while new money arrives."""
    after = decode_cursor(cursor, d=DATE, j=ID, i=ID)
    if after is not None:
        day, journal_id, pk = after["d"], after["j"], after["i"]
        qs = qs.filter(
            Q(effective_date__lt=day)
            | Q(effective_date=day, journal_id__lt=journal_id)
            | Q(effective_date=day, journal_id=journal_id, id__gt=pk)
        )
    rows = list(qs[: limit + 1])
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = encode_cursor({"d": last.effective_date.isoformat(), "j": last.journal_id, "i": last.pk})
    return rows[:limit], nxt


def _journal_cursor(cursor: str | None) -> tuple[dt.date, int] | None:
    after = decode_cursor(cursor, d=DATE, j=ID)
    return None if after is None else (after["d"], after["j"])


def statement_journal_page(
    qs: QuerySet[Transfer], *, cursor: str | None, limit: int
) -> tuple[list[Transfer], str | None]:
    """Keyset page of `limit` whole journals over (effective_date desc, journal desc): a payment never
    leaves its fees on the next page. Two queries whatever the page size: the page's journal keys, then
    all their transfers touching the account. The cursor is the last journal's (date, id)."""
    after = _journal_cursor(cursor)
    if after is not None:
        day, journal_id = after
        qs = qs.filter(Q(effective_date__lt=day) | Q(effective_date=day, journal_id__lt=journal_id))
    keys = list(
        qs.order_by("-effective_date", "-journal_id")
        .values_list("effective_date", "journal_id")
        .distinct()[: limit + 1]
    )
    nxt = None
    if len(keys) > limit:
        keys = keys[:limit]
        nxt = encode_cursor({"d": keys[-1][0].isoformat(), "j": keys[-1][1]})
    if not keys:
        return [], None
    rows = list(qs.filter(journal_id__in=[j for _d, j in keys]))
    return rows, nxt


def _other(t: Transfer, funds_id: int) -> Account:
    return t.debit_account if t.credit_account_id == funds_id else t.credit_account


def counterparty(t: Transfer, funds_id: int) -> str:
    """Who is on the other side, as the public may see it: never an email, "Anonymous" when asked."""
    other = _other(t, funds_id)
    if t.kind == TransferKind.HOST_FEE:
        return t.journal.host.name
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
    description = t.description
    if t.journal.reverses_id and t.journal.reason:
        description = f"{description} — {t.journal.reason}"
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


def _decimal(amount: int, currency: str) -> str:
    return str(Money(amount, currency).as_decimal())


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a leading quote keeps text as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stream_csv(qs: QuerySet[Transfer], funds_id: int, chunk_size: int = 2000) -> Iterator[str]:
    """CSV lines, one query streamed in chunks: constant memory for a million rows."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for t in qs.iterator(chunk_size=chunk_size):
        row = statement_row(t, funds_id)
        yield writer.writerow(
            [
                row["date"].isoformat(),
                row["journal"],
                row["kind"],
                _cell(row["counterparty"]),
                _cell(row["description"]),
                _decimal(row["amount"], row["currency"]),
                row["currency"],
                row["amount"],
                "1" if row["is_fee"] else "0",
            ]
        )


def stream_json(qs: QuerySet[Transfer], funds_id: int, chunk_size: int = 2000) -> Iterator[str]:
    """`{"results": [...]}` written row by row."""
    yield '{"results": ['
    first = True
    buf = io.StringIO()
    for t in qs.iterator(chunk_size=chunk_size):
        if not first:
            buf.write(",")
        first = False
        buf.write("\n")
        buf.write(json.dumps(row_json(statement_row(t, funds_id)), ensure_ascii=False))
        if buf.tell() > 64 * 1024:
            yield buf.getvalue()
            buf = io.StringIO()
    yield buf.getvalue()
    yield "\n]}\n"
