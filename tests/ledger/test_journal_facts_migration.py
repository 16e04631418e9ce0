"""The data migration turns the English sentences stored before into facts, keeping what people typed."""

import importlib

import pytest
from django.utils import translation

from opencity.ledger.models import Journal
from opencity.ledger.phrases import describe_journal

parse = importlib.import_module("opencity.ledger.migrations.0008_journal_facts_from_descriptions").parse


@pytest.mark.parametrize(
    ("description", "kind", "facts"),
    [
        ("Contribution: Ami du jardin", "contribution", {"what": "contribution", "ref": "Ami du jardin"}),
        ("Contribution", "contribution", {"what": "contribution"}),
        ("Contribution to Repair Café", "contribution", {"what": "contribution"}),
        ("Refund: Contribution: Ami", "refund", {"what": "refund", "ref": "Ami"}),
        ("Partial refund: Contribution", "refund", {"what": "partial_refund"}),
        ("Dispute: Contribution: Ami", "refund", {"what": "dispute", "ref": "Ami"}),
        ("Dispute won: Contribution", "contribution", {"what": "dispute_won"}),
        ("Expense: Peinture", "expense", {"what": "expense", "ref": "Peinture"}),
        ("Bank fee, payout file pay_8f3k2j", "bank_fee", {"what": "payout_file_bank_fee"}),
        ("Payout OC-X8F3K2J-1", "settlement", {"what": "payout"}),
        ("Reversal: Expense: Colle", "expense", {"what": "reversal", "of": {"what": "expense", "ref": "Colle"}}),
        ("Reversal: Seed money", "added_funds", {"what": "reversal", "of": {"text": "Seed money"}}),
        ("Seed money", "added_funds", None),
        ("Contribution to the fair", "added_funds", None),
    ],
)
def test_old_sentences_become_facts(description, kind, facts):
    assert parse(description, kind) == facts


def test_a_migrated_journal_reads_in_french_without_its_internal_id():
    j = Journal(
        kind="bank_fee",
        description="Bank fee, payout file pay_8f3k2j",
        facts=parse("Bank fee, payout file pay_8f3k2j", "bank_fee"),
    )
    with translation.override("fr"):
        text = describe_journal(j)
    assert "pay_" not in text and text == "Frais bancaires d’un fichier de paiements"
