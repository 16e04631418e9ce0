import pytest

from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind, Transfer, TransferKind


@pytest.mark.django_db
def test_contribution_journal_moves_money_once(collective):
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "stripe")
    funds = ledger.funds_account(collective)
    fees = ledger.host_account(host, AccountKind.HOST_FEES)
    pfees = ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe")
    legs = [
        ledger.Leg(clearing, funds, 1000, TransferKind.CONTRIBUTION),
        ledger.Leg(funds, pfees, 39, TransferKind.PROCESSOR_FEE),
        ledger.Leg(funds, fees, 80, TransferKind.HOST_FEE),
    ]
    j1 = ledger.post_journal(host=host, idempotency_key="c1", kind=TransferKind.CONTRIBUTION, legs=legs)
    j2 = ledger.post_journal(host=host, idempotency_key="c1", kind=TransferKind.CONTRIBUTION, legs=legs)
    assert j1.pk == j2.pk
    funds.refresh_from_db()
    assert funds.balance == 881
    assert Transfer.objects.count() == 3


@pytest.mark.django_db
def test_funds_never_negative(collective):
    host = collective.host
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(host, AccountKind.BANK)
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_journal(
            host=host,
            idempotency_key="e1",
            kind=TransferKind.EXPENSE,
            legs=[ledger.Leg(funds, bank, 1, TransferKind.EXPENSE)],
        )
    funds.refresh_from_db()
    assert funds.debits_posted == 0 and not Transfer.objects.exists()


@pytest.mark.django_db
def test_transfers_are_immutable(collective):
    host = collective.host
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(host, AccountKind.BANK)
    ledger.post_journal(
        host=host,
        idempotency_key="a1",
        kind=TransferKind.ADDED_FUNDS,
        legs=[ledger.Leg(bank, funds, 500, TransferKind.ADDED_FUNDS)],
    )
    t = Transfer.objects.get()
    t.amount = 1
    with pytest.raises(TypeError):
        t.save()
    with pytest.raises(TypeError):
        Transfer.objects.all().update(amount=1)
    with pytest.raises(TypeError):
        t.delete()


@pytest.mark.django_db
def test_incoming_payment_and_reversal(collective, check_ledger):
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "stripe")
    pfees = ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe")
    j = ledger.record_incoming_payment(
        collective=collective,
        amount=1000,
        idempotency_key="p1",
        source_account=clearing,
        processor_fee=39,
        processor_fee_account=pfees,
    )
    assert sorted(j.transfers.values_list("kind", "amount")) == [
        ("contribution", 1000),
        ("host_fee", 80),
        ("processor_fee", 39),
    ]
    assert ledger.funds_account(collective).balance == 881
    r = ledger.journal_reverse(journal=j, idempotency_key="p1:rev", reason="refund")
    assert r.reverses_id == j.pk and ledger.funds_account(collective).balance == 0
    assert ledger.journal_reverse(journal=j, idempotency_key="p1:rev", reason="again").pk == r.pk
    check_ledger()
