"""Existing journals: turn the English sentences stored in `description` into facts (ledger/phrases.py).

What a person typed (a tier name, an expense title, an added-funds note) is kept as written; internal ids
in old sentences (payout files, end-to-end ids) are dropped. Journals only: transfers are immutable, and
their pages now read the sentence from their journal's facts.
"""

import re

from django.db import migrations

from opencity.ledger import dbguard

_PREFIXES = [
    ("Reversal: ", "reversal"),
    ("Partial refund: ", "partial_refund"),
    ("Refund: ", "refund"),
    ("Dispute won: ", "dispute_won"),
    ("Dispute: ", "dispute"),
]


def parse(description: str, kind: str, depth: int = 0) -> dict | None:
    """The facts an old sentence stated, or None when it is a person's own words."""
    d = description or ""
    for prefix, what in _PREFIXES:
        if d.startswith(prefix) and depth < 5:
            inner = parse(d[len(prefix) :], kind, depth + 1)
            if what == "reversal":
                return {"what": what, "of": inner or {"text": d[len(prefix) :]}}
            out = {"what": what}
            if inner and inner.get("ref"):
                out["ref"] = inner["ref"]
            return out
    if d.startswith("Contribution: "):
        return {"what": "contribution", "ref": d[len("Contribution: ") :]}
    if d == "Contribution" or (kind == "contribution" and d.startswith("Contribution to ")):
        return {"what": "contribution"}
    if d.startswith("Expense: "):
        return {"what": "expense", "ref": d[len("Expense: ") :]}
    if d.startswith("Bank fee, payout file "):
        return {"what": "payout_file_bank_fee"}
    if re.fullmatch(r"Payout \S+", d) and kind == "settlement":
        return {"what": "payout"}
    if d in {"Refund", "Partial refund", "Dispute", "Dispute won"}:
        return {"what": d.lower().replace(" ", "_")}
    return None


def forward(apps, schema_editor):
    Journal = apps.get_model("ledger", "Journal")
    Expense = apps.get_model("expenses", "Expense")
    batch = []
    for j in (
        Journal.objects.filter(facts__isnull=True)
        .only("id", "description", "kind", "reason", "source_type", "source_id")
        .iterator(chunk_size=2000)
    ):
        facts = parse(j.description, j.kind)
        if facts is None:
            continue
        if facts["what"] == "payout" and j.source_type == "expense":
            title = Expense.objects.filter(public_id=j.source_id).values_list("title", flat=True).first()
            if title:
                facts["ref"] = title
        if facts["what"] == "reversal":
            if j.reason == "Payment failed":
                facts["why"] = "payment_failed"
            elif j.reason:
                facts["reason"] = j.reason
        j.facts = facts
        batch.append(j)
        if len(batch) >= 500:
            Journal.objects.bulk_update(batch, ["facts"])
            batch = []
    if batch:
        Journal.objects.bulk_update(batch, ["facts"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_journal_facts"), ("expenses", "0002_expense_idempotency_key_and_more")]

    operations = [
        # SQLite may rebuild a table to add a column, which drops its triggers: put them back.
        migrations.RunPython(dbguard.install_triggers, migrations.RunPython.noop),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
