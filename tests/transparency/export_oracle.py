"""A frozen copy of the exports as they were before issue 15 (model instances, one row at a time).

Kept only as the oracle of tests/transparency/test_export_equivalence.py: the streaming exports must write
exactly what these wrote. Do not "fix" this file; it is the reference.
"""

from __future__ import annotations

import csv
import io
import json

from django.db.models import Q
from django.utils.translation import gettext

from opencity.ledger.exports import GL_COLUMNS
from opencity.ledger.models import AccountKind, Transfer, TransferKind
from opencity.ledger.phrases import describe_transfer, journal_reason
from opencity.money import Money
from opencity.transparency.statements import CSV_COLUMNS, FEE_KINDS, PROCESSOR_NAMES


def statement_transfers(funds, *, kind="", date_from=None, date_to=None):
    qs = Transfer.objects.filter(Q(debit_account=funds) | Q(credit_account=funds)).select_related(
        "journal__person", "journal__host__profile", "debit_account__collective", "credit_account__collective"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(effective_date__gte=date_from)
    if date_to:
        qs = qs.filter(effective_date__lte=date_to)
    return qs.order_by("-effective_date", "-journal_id", "id")


def _counterparty(t, funds_id):
    other = t.debit_account if t.credit_account_id == funds_id else t.credit_account
    if t.kind == TransferKind.HOST_FEE:
        return other.collective.name if other.kind == AccountKind.COLLECTIVE_FUNDS else t.journal.host.name
    if t.kind in FEE_KINDS:
        return str(PROCESSOR_NAMES.get(other.processor, other.processor or gettext("Bank")))
    if other.collective_id:
        return other.collective.name
    journal = t.journal
    if journal.anonymous:
        return gettext("Anonymous")
    if journal.counterparty_label:
        return journal.counterparty_label
    if journal.person_id:
        return journal.person.public_name
    return gettext("Anonymous")


def _row(t, funds_id):
    signed = t.amount if t.credit_account_id == funds_id else -t.amount
    description = describe_transfer(t)
    reason = journal_reason(t.journal)
    if reason:
        description = f"{description} — {reason}"
    return {
        "date": t.effective_date,
        "journal": t.journal.public_id,
        "kind": t.kind,
        "counterparty": _counterparty(t, funds_id),
        "description": description,
        "amount": signed,
        "currency": t.currency,
        "is_fee": t.kind in FEE_KINDS,
    }


def _cell(text):
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def statement_csv(funds, **filters) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for t in statement_transfers(funds, **filters):
        row = _row(t, funds.pk)
        writer.writerow(
            [
                row["date"].isoformat(),
                row["journal"],
                row["kind"],
                _cell(row["counterparty"]),
                _cell(row["description"]),
                str(Money(row["amount"], row["currency"]).as_decimal()),
                row["currency"],
                row["amount"],
                "1" if row["is_fee"] else "0",
            ]
        )
    return out.getvalue()


def statement_json(funds, **filters) -> str:
    parts = []
    for t in statement_transfers(funds, **filters):
        row = _row(t, funds.pk)
        item = {
            "date": row["date"].isoformat(),
            "journal": row["journal"],
            "kind": row["kind"],
            "counterparty": row["counterparty"],
            "description": row["description"],
            "amount": {"value": row["amount"], "currency": row["currency"]},
            "is_fee": row["is_fee"],
        }
        parts.append("\n" + json.dumps(item, ensure_ascii=False))
    return '{"results": [' + ",".join(parts) + "\n]}\n"


def _account_code(acc):
    if acc.collective_id:
        return f"{acc.kind}:{acc.collective.slug}"
    return f"{acc.kind}:{acc.processor}" if acc.processor else acc.kind


def general_ledger_csv(host, *, date_from=None, date_to=None) -> str:
    qs = Transfer.objects.filter(journal__host=host).select_related(
        "journal__reverses", "debit_account__collective", "credit_account__collective"
    )
    if date_from:
        qs = qs.filter(effective_date__gte=date_from)
    if date_to:
        qs = qs.filter(effective_date__lte=date_to)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GL_COLUMNS)
    for t in qs.order_by("effective_date", "journal_id", "id"):
        j = t.journal
        writer.writerow(
            [
                t.effective_date.isoformat(),
                j.public_id,
                j.kind,
                t.kind,
                _account_code(t.debit_account),
                _account_code(t.credit_account),
                str(Money(t.amount, t.currency).as_decimal()),
                t.currency,
                t.amount,
                j.source_type,
                j.source_id,
                j.reverses.public_id if j.reverses_id else "",
                _cell(describe_transfer(t)),
            ]
        )
    return out.getvalue()
