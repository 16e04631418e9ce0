"""A collective's statement as CSV and JSON at database speed, for any number of rows.

One narrow query of plain values (no model instances): the transfer, its journal and the journal's
person; the accounts on the other side come from one small map of the host's accounts (a few rows per
collective, not per transfer). Sentences and labels are made once per distinct (facts, kind) and reused.
The query streams through a server-side cursor on PostgreSQL in batches of 5,000 rows, so memory stays
flat. What is written is exactly what the page's rows say (tests/transparency/test_export_equivalence.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache

from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext

from opencity.core.csvstream import cell, stream_rows
from opencity.ledger.models import Account, AccountKind, TransferKind
from opencity.ledger.phrases import describe_values, reason_values
from opencity.money import decimal_text
from opencity.transparency.statements import CSV_COLUMNS, FEE_KINDS, PROCESSOR_NAMES, statement_transfers

BATCH = 5000
FIELDS = (
    "effective_date",
    "journal__public_id",
    "kind",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "currency",
    "description",
    "journal__kind",
    "facts_text",
    "journal__reason",
    "journal__anonymous",
    "journal__counterparty_label",
    "journal__person_id",
    "journal__person__name",
    "journal__person__anonymised_at",
)


def statement_values(funds: Account | None, **filters) -> QuerySet:
    """The export's query: one tuple of `FIELDS` per transfer, in the statement's order."""
    return (
        statement_transfers(funds, **filters)
        .annotate(facts_text=Cast(F("journal__facts"), TextField()))
        .values_list(*FIELDS)
    )


class _Accounts(dict):
    """Account id → (kind, processor, collective name, collective slug), loaded for the whole host at once."""

    def __init__(self, host_id: int):
        super().__init__()
        self._load(host=host_id)

    def _load(self, **where) -> None:
        for pk, kind, processor, name, slug in Account.objects.filter(**where).values_list(
            "pk", "kind", "processor", "collective__name", "collective__slug"
        ):
            self[pk] = (kind, processor, name, slug)

    def __missing__(self, pk: int):
        self._load(pk=pk)
        return self[pk]


def _rows(funds: Account, filters: dict) -> Iterator[dict]:
    """Each line as `statement_row` would write it, from plain values."""
    accounts = _Accounts(funds.host_id)
    funds_id = funds.pk
    host_name = funds.host.name
    anonymous = gettext("Anonymous")
    anonymised = gettext("Anonymous contributor")

    @lru_cache(maxsize=4096)
    def sentence(facts_text: str | None, kind: str, journal_kind: str, description: str, reason: str) -> str:
        facts = json.loads(facts_text) if facts_text else None
        text = describe_values(facts, kind, journal_kind, description)
        why = reason_values(facts, reason)
        return f"{text} — {why}" if why else text

    @lru_cache(maxsize=256)
    def processor_name(processor: str) -> str:
        return str(PROCESSOR_NAMES.get(processor, processor or gettext("Bank")))

    for (
        date,
        journal,
        kind,
        debit_id,
        credit_id,
        amount,
        currency,
        description,
        journal_kind,
        facts_text,
        reason,
        is_anonymous,
        label,
        person_id,
        person_name,
        anonymised_at,
    ) in statement_values(funds, **filters).iterator(chunk_size=BATCH):
        incoming = credit_id == funds_id
        other_kind, processor, other_name, _slug = accounts[debit_id if incoming else credit_id]
        if kind == TransferKind.HOST_FEE:
            who = other_name if other_kind == AccountKind.COLLECTIVE_FUNDS else host_name
        elif kind in FEE_KINDS:
            who = processor_name(processor)
        elif other_name is not None:
            who = other_name
        elif is_anonymous:
            who = anonymous
        elif label:
            who = label
        elif person_id:
            who = anonymised if anonymised_at else (person_name or anonymous)
        else:
            who = anonymous
        yield {
            "date": date.isoformat(),
            "journal": journal,
            "kind": kind,
            "counterparty": who,
            "description": sentence(facts_text, kind, journal_kind, description, reason),
            "amount": amount if incoming else -amount,
            "currency": currency,
            "is_fee": kind in FEE_KINDS,
        }


def stream_csv(funds: Account | None, **filters) -> Iterator[str]:
    """The statement as CSV (columns `CSV_COLUMNS`), streamed in 64 KB chunks."""
    rows = () if funds is None else _rows(funds, filters)
    return stream_rows(
        CSV_COLUMNS,
        (
            [
                r["date"],
                r["journal"],
                r["kind"],
                cell(r["counterparty"]),
                cell(r["description"]),
                decimal_text(r["amount"], r["currency"]),
                r["currency"],
                r["amount"],
                "1" if r["is_fee"] else "0",
            ]
            for r in rows
        ),
    )


def stream_json(funds: Account | None, **filters) -> Iterator[str]:
    """`{"results": [...]}` written row by row, in chunks of about 64 KB."""
    yield '{"results": ['
    parts: list[str] = []
    size = 0
    sep = "\n"
    for r in () if funds is None else _rows(funds, filters):
        r["amount"] = {"value": r["amount"], "currency": r.pop("currency")}
        text = sep + json.dumps(r, ensure_ascii=False)
        sep = ",\n"
        parts.append(text)
        size += len(text)
        if size > 64 * 1024:
            yield "".join(parts)
            parts, size = [], 0
    yield "".join(parts)
    yield "\n]}\n"
