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
