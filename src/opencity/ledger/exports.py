"""The host's general ledger as CSV at database speed: one narrow query of plain values, streamed.

Each line is a transfer with both account codes; the accounts come from one small map of the host's
accounts, sentences are made once per distinct (facts, kinds, typed text). A server-side cursor on
PostgreSQL hands out 5,000 rows at a time, so memory stays flat whatever the date range.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import lru_cache

from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast

from opencity.core.csvstream import cell, stream_rows
from opencity.ledger.models import Account, Transfer
from opencity.ledger.phrases import describe_values
from opencity.money import decimal_text

BATCH = 5000
GL_COLUMNS = [
    "date",
    "journal",
    "journal_kind",
    "transfer_kind",
    "debit_account",
    "credit_account",
    "amount",
    "currency",
    "amount_minor",
    "source_type",
    "source_id",
    "reverses_journal",
    "description",
]
FIELDS = (
    "effective_date",
    "journal__public_id",
    "journal__kind",
    "kind",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "currency",
    "journal__source_type",
    "journal__source_id",
    "journal__reverses__public_id",
    "description",
    "facts_text",
)


def general_ledger_transfers(host, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet[Transfer]:
    """The host's transfers in the range, oldest first (index transfer_date: effective_date, id).

    Filtered by the debit account's host (a small table), not the journal's: the same transfers (check-ledger
    verifies that both accounts belong to the journal's host), without hashing every journal of the host to
    count one month."""
    qs = Transfer.objects.filter(debit_account__host=host)
    if date_from:
        qs = qs.filter(effective_date__gte=date_from)
    if date_to:
        qs = qs.filter(effective_date__lte=date_to)
    return qs.order_by("effective_date", "journal_id", "id")


def general_ledger_count(host, *, date_from: dt.date | None, date_to: dt.date | None) -> int:
    """How many lines the export of that range will have (said on the page before downloading)."""
    return general_ledger_transfers(host, date_from=date_from, date_to=date_to).order_by().count()


def general_ledger_values(host, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """The export's query: one tuple of `FIELDS` per line."""
    return (
        general_ledger_transfers(host, date_from=date_from, date_to=date_to)
        .annotate(facts_text=Cast(F("journal__facts"), TextField()))
        .values_list(*FIELDS)
    )


def account_codes(host_id: int) -> dict[int, str]:
    """Account id → the readable code accountants see: `funds:<slug>`, `clearing:stripe`, `host_fees`."""
    codes = {}
    for pk, kind, processor, slug in Account.objects.filter(host=host_id).values_list(
        "pk", "kind", "processor", "collective__slug"
    ):
        codes[pk] = f"{kind}:{slug}" if slug else (f"{kind}:{processor}" if processor else kind)
    return codes


def stream_general_ledger(host, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Iterator[str]:
    """Every transfer of the range with both accounts, one CSV line each, in 64 KB chunks."""
    codes = account_codes(host.pk)

    @lru_cache(maxsize=4096)
    def sentence(facts_text: str | None, kind: str, journal_kind: str, description: str) -> str:
        return cell(describe_values(json.loads(facts_text) if facts_text else None, kind, journal_kind, description))

    def lines():
        for (
            date,
            journal,
            jkind,
            kind,
            debit,
            credit,
            amount,
            currency,
            stype,
            sid,
            reverses,
            desc,
            facts,
        ) in general_ledger_values(host, date_from=date_from, date_to=date_to).iterator(chunk_size=BATCH):
            yield [
                date.isoformat(),
                journal,
                jkind,
                kind,
                codes[debit],
                codes[credit],
                decimal_text(amount, currency),
                currency,
                amount,
                stype,
                sid,
                reverses or "",
                sentence(facts, kind, jkind, desc),
            ]

    return stream_rows(GL_COLUMNS, lines())
