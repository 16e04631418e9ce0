"""`ledger.services.post_journals`: a batch writes what `post_journal` writes one by one, at most once per key."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencity.ledger import phrases
from opencity.ledger import services as ledger
from opencity.ledger.models import Account, AccountKind, Journal, Transfer, TransferKind
from tests.ledger.helpers import contribute

pytestmark = pytest.mark.django_db


def _specs(collective, prefix: str, n: int):
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "bank_transfer")
    funds = ledger.funds_account(collective)
    fees = ledger.host_account(host, AccountKind.HOST_FEES)
    return [
        ledger.JournalSpec(
            host=host,
            idempotency_key=f"{prefix}:{i}",
            kind=TransferKind.CONTRIBUTION,
            legs=[
                ledger.Leg(clearing, funds, 1000 + i, TransferKind.CONTRIBUTION, "Tier" if i % 2 else ""),
                ledger.Leg(funds, fees, 80, TransferKind.HOST_FEE),
            ],
            description="Tier" if i % 2 else "",
            facts=phrases.facts(phrases.CONTRIBUTION, ref="Tier") if i % 3 else None,
            source_type="contribution",
            source_id=f"con_{prefix}{i}",
            anonymous=bool(i % 2),
            counterparty_label="ACME" if i == 1 else "",
        )
        for i in range(n)
    ]


def _rows(prefix: str):
    journals = [
        (
            j.idempotency_key.split(":", 1)[1],
            j.kind,
            j.description,
            j.effective_date,
            j.source_type,
            j.source_id.removeprefix("con_").lstrip("ab"),
            j.anonymous,
            j.counterparty_label,
            j.facts,
            j.reverses_id,
            j.reason,
            j.host_id,
        )
        for j in Journal.objects.filter(idempotency_key__startswith=f"{prefix}:").order_by("idempotency_key")
    ]
    transfers = [
        (
            t.idempotency_key.split(":", 1)[1],
            t.debit_account_id,
            t.credit_account_id,
            t.amount,
            t.currency,
            t.kind,
            t.description,
            t.effective_date,
            t.reversal_of_id,
        )
        for t in Transfer.objects.filter(idempotency_key__startswith=f"{prefix}:").order_by("idempotency_key")
    ]
    return journals, transfers


def test_a_batch_writes_what_post_journal_writes(collective):
    one_by_one = [ledger.post_journal(**s.kwargs()) for s in _specs(collective, "a", 6)]
    totals = {a.pk: a.totals for a in Account.objects.with_stripes()}
    batch = ledger.post_journals(_specs(collective, "b", 6))

    assert [j.idempotency_key for j in batch] == [f"b:{i}" for i in range(6)]
    assert all(j.pk for j in batch) and len({j.pk for j in batch}) == 6
    assert _rows("a") == _rows("b")
    assert len(_rows("b")[1]) == 12
    # The batch moved exactly as much again on every account.
    for a in Account.objects.with_stripes():
        before = totals[a.pk]
        if before != (0, 0):
            assert a.totals == (2 * before[0], 2 * before[1])
    assert [j.facts for j in batch] == [j.facts for j in one_by_one]


def test_a_retried_batch_moves_nothing_and_returns_the_first_journals(collective, check_ledger):
    first = ledger.post_journals(_specs(collective, "r", 4))
    funds = ledger.funds_account(collective)
    funds.refresh_from_db()
    balance = funds.balance
    # Partly new: two known keys, one new key given twice in the same batch.
    specs = _specs(collective, "r", 5)[2:] + _specs(collective, "r", 5)[4:]
    again = ledger.post_journals(specs)

    assert [j.pk for j in again[:2]] == [j.pk for j in first[2:]]
    assert again[2].pk == again[3].pk and again[2].idempotency_key == "r:4"
    assert Journal.objects.filter(idempotency_key__startswith="r:").count() == 5
    assert Transfer.objects.filter(idempotency_key__startswith="r:").count() == 10
    funds.refresh_from_db()
    assert funds.balance == balance + 1004 - 80
    check_ledger()


def test_a_batch_that_overdraws_a_fund_keeps_nothing(collective):
    host = collective.host
    contribute(collective, 1000)
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(host, AccountKind.BANK)
    before = Transfer.objects.count()
    specs = [
        ledger.JournalSpec(
            host=host,
            idempotency_key=f"x:{i}",
            kind=TransferKind.EXPENSE,
            legs=[ledger.Leg(funds, bank, 600, "expense")],
        )
        for i in range(2)
    ]
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_journals(specs)
    assert Transfer.objects.count() == before
    assert not Journal.objects.filter(idempotency_key__startswith="x:").exists()
    funds.refresh_from_db()
    assert funds.balance == 1000 - ledger.host_fee_for(collective, 1000)


def test_bad_legs_refuse_the_whole_batch(collective):
    specs = _specs(collective, "bad", 3)
    specs[2].legs[0] = ledger.Leg(specs[2].legs[0].debit, specs[2].legs[0].credit, 0, TransferKind.CONTRIBUTION)
    with pytest.raises(ledger.LedgerError):
        ledger.post_journals(specs)
    assert not Journal.objects.filter(idempotency_key__startswith="bad:").exists()


def test_a_batch_costs_the_same_statements_whatever_its_size(collective):
    ledger.post_journals(_specs(collective, "warm", 1))  # accounts and plans exist
    counts = []
    for prefix, n in (("s", 3), ("m", 30)):
        specs = _specs(collective, prefix, n)
        with CaptureQueriesContext(connection) as ctx:
            ledger.post_journals(specs)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 10, counts
