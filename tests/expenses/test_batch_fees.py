"""The bank's fee for a payout file: shared by its collectives, exact to the cent, posted once, or not at all."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencity.core.errors import Conflict
from opencity.expenses import payouts
from opencity.expenses.batch_fees import batch_fee_journal, split_proportionally
from opencity.expenses.models import Expense, ExpenseStatus, PayoutBatch
from opencity.ledger import services as ledger
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import AccountKind, Journal, TransferKind
from tests.conftest import make_collective
from tests.expenses.conftest import approved, fund

pytestmark = pytest.mark.django_db


def test_split_largest_remainder_by_hand():
    # 100 over 15 000 / 20 000 / 3 333: floors 39 + 52 + 8 = 99; the cent left goes to the largest remainder (C).
    assert split_proportionally(100, [("a", 15_000), ("b", 20_000), ("c", 3_333)]) == {"a": 39, "b": 52, "c": 9}
    assert split_proportionally(2, [("a", 1), ("b", 1), ("c", 1)]) == {"a": 1, "b": 1, "c": 0}  # ties: given order
    assert split_proportionally(0, [("a", 5)]) == {"a": 0}
    with pytest.raises(ValueError):
        split_proportionally(10, [])


@given(st.integers(0, 10**12), st.lists(st.integers(1, 10**11), min_size=1, max_size=30))
def test_split_sums_exactly_and_stays_within_a_cent(total, weights):
    shares = split_proportionally(total, list(enumerate(weights)))
    assert sum(shares.values()) == total
    whole = sum(weights)
    for i, w in enumerate(weights):
        exact_floor = total * w // whole
        assert exact_floor <= shares[i] <= exact_floor + 1


def _three_collectives(world, c_funds=10_000):
    a, b = world.collective, world.other_collective  # a holds 100 000
    fund(b, 50_000)
    c = make_collective(world.host)
    fund(c, c_funds)
    approved(a, world.submitter, 10_000)
    approved(a, world.submitter, 5_000)
    approved(b, world.submitter, 20_000)
    approved(c, world.submitter, 3_333)
    batch = payouts.payout_batch_create(host=world.host, by=world.host_admin)
    assert batch.count == 4
    payouts.payout_batch_mark_sent(batch=batch, by=world.host_admin)
    return a, b, c, batch


def _fee_legs(batch):
    journal = batch_fee_journal(batch)
    return {
        t.debit_account.collective_id: t for t in journal.transfers.select_related("debit_account", "credit_account")
    }


def test_confirm_with_fee_splits_it_and_posts_once(world, check_ledger):
    a, b, c, batch = _three_collectives(world)
    bank = ledger.host_account(world.host, AccountKind.BANK)
    bank_before = bank.balance
    before = {x.pk: ledger.funds_account(x).balance for x in (a, b, c)}
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=100)
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID
    legs = _fee_legs(batch)
    assert {pk: t.amount for pk, t in legs.items()} == {a.pk: 39, b.pk: 52, c.pk: 9}
    for t in legs.values():
        assert t.kind == TransferKind.BANK_FEE and t.credit_account_id == bank.pk
    journal = batch_fee_journal(batch)
    assert journal.source_type == "payout_batch" and journal.source_id == batch.public_id
    assert {x.pk: ledger.funds_account(x).balance for x in (a, b, c)} == {
        a.pk: before[a.pk] - 39,
        b.pk: before[b.pk] - 52,
        c.pk: before[c.pk] - 9,
    }
    # Settlements (in flight → bank) and the fee legs (funds → bank) all post to the host's bank account.
    bank.refresh_from_db()
    assert bank.balance - bank_before == 38_333 + 100
    # Confirming again (a double click, a retry) posts nothing more.
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=100)
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin)
    assert Journal.objects.filter(kind=TransferKind.BANK_FEE).count() == 1
    with pytest.raises(Conflict) as exc:
        payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=250)
    assert exc.value.code == "fee_already_recorded"
    check_ledger()


def test_fee_refused_when_a_collective_cannot_cover_its_share(world, check_ledger):
    a, b, c, batch = _three_collectives(world, c_funds=3_333)  # c has nothing left once its expense is sent
    with pytest.raises(InsufficientFunds) as exc:
        payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=100)
    assert c.name in str(exc.value.message) and "Nothing was recorded" in str(exc.value.message)
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.SENT  # nothing confirmed, nothing posted
    assert batch_fee_journal(batch) is None
    assert not Journal.objects.filter(kind=TransferKind.SETTLEMENT).exists()
    assert set(Expense.objects.values_list("status", flat=True)) == {ExpenseStatus.SCHEDULED}
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin)  # without a fee it goes through
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID and batch_fee_journal(batch) is None
    check_ledger()


def test_fee_can_follow_a_file_settled_from_the_bank_statement(world, check_ledger):
    a, b, c, batch = _three_collectives(world)
    for line in batch.lines.all():
        payouts.payout_line_settle(end_to_end_id=line.end_to_end_id, paid_on=batch.execution_date)
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=7)
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=7)
    legs = _fee_legs(batch)
    assert sum(t.amount for t in legs.values()) == 7
    assert Journal.objects.filter(kind=TransferKind.BANK_FEE).count() == 1
    check_ledger()


def test_batch_page_takes_the_fee(world, client, check_ledger):
    a, b, c, batch = _three_collectives(world)
    client.force_login(world.host_admin)
    url = f"/{world.host.slug}/admin/expenses/batches/{batch.public_id}"
    page = client.get(url).content.decode()
    assert 'name="bank_fee"' in page
    client.post(f"{url}/do/paid", {"bank_fee": "abc"})
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.SENT  # a bad fee confirms nothing
    res = client.post(f"{url}/do/paid", {"bank_fee": "1,00"})
    assert res.status_code == 302
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID
    assert sum(t.amount for t in _fee_legs(batch).values()) == 100
    page = client.get(url).content.decode()
    assert "Bank fee" in page and c.name in page and 'name="bank_fee"' not in page
    check_ledger()
