"""Stripes (ledger/stripes.py): on PostgreSQL a host's own accounts are posted without locking their rows, in
one stripe per concurrent transaction, so two collectives of one host take gifts at the same time; their totals
are the row plus the stripes, everywhere they are read. SQLite has one writer at a time and never stripes."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from opencity.ledger import funds
from opencity.ledger import services as ledger
from opencity.ledger.checks import ledger_breaches
from opencity.ledger.models import Account, AccountKind, AccountStripe, MonthlyRollup, Transfer
from opencity.transparency.selectors import host_totals
from tests.conftest import make_collective
from tests.ledger.helpers import contribute


def _sums(account) -> tuple[int, int]:
    debits = sum(Transfer.objects.filter(debit_account=account).values_list("amount", flat=True))
    credits = sum(Transfer.objects.filter(credit_account=account).values_list("amount", flat=True))
    return debits, credits


@pytest.fixture
def second(collective):
    return make_collective(collective.host)


@pytest.mark.django_db(transaction=True)
def test_two_collectives_of_one_host_take_gifts_at_the_same_time(collective, second, check_ledger):
    """A gift to one collective is held open (its transaction not committed) while a gift to another
    collective of the same host goes through: on PostgreSQL the second does not wait for the first (it
    used to queue on the host's clearing, fees and host-fee rows until the first committed)."""
    posted, release, outcome = threading.Event(), threading.Event(), {}

    def hold_a_gift_open() -> None:
        try:
            with transaction.atomic():
                contribute(collective, 1000, fee=39, idempotency_key="held")
                posted.set()
                release.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["held"] = exc
        finally:
            posted.set()
            connection.close()

    first = threading.Thread(target=hold_a_gift_open)
    first.start()
    assert posted.wait(timeout=30)
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                with connection.cursor() as cur:  # waiting at all would be the old behaviour: fail, not hang
                    cur.execute("SET LOCAL lock_timeout = '5s'")
                contribute(second, 2000, fee=59, idempotency_key="meanwhile")
            # The second gift is in, the first one still open: nobody waited.
            assert first.is_alive() and not Transfer.objects.filter(journal__idempotency_key="held").exists()
    finally:
        release.set()
        first.join(timeout=30)
    if connection.vendor == "sqlite":  # one writer at a time: the second gift goes once the first committed
        contribute(second, 2000, fee=59, idempotency_key="meanwhile")
    assert outcome == {}
    fees = ledger.host_account(collective.host, AccountKind.PROCESSOR_FEES, "stripe")
    assert fees.balance == 39 + 59 == _sums(fees)[1]
    host_fees = ledger.host_account(collective.host, AccountKind.HOST_FEES)
    assert host_fees.balance == ledger.host_fee_for(collective, 1000) + ledger.host_fee_for(second, 2000)
    check_ledger()


@pytest.mark.django_db
def test_host_accounts_are_totalled_from_their_row_and_their_stripes(
    client, collective, second, host_admin, check_ledger
):
    for c, amount in ((collective, 1000), (second, 2500), (collective, 700)):
        contribute(c, amount, fee=31)
    funds.added_funds_record(
        collective=second, amount=400, source="Sponsor", description="grant", charge_host_fee=True, by=host_admin
    )
    host = collective.host
    striped = AccountStripe.objects.filter(account__host=host)
    for account in Account.objects.filter(host=host).with_stripes():
        assert account.totals == _sums(account), account
        fresh = Account.objects.get(pk=account.pk)  # not annotated: the stripes are read
        assert fresh.totals == _sums(account) and fresh.balance == account.balance
        if account.kind == AccountKind.COLLECTIVE_FUNDS:  # guarded: always its row, under its lock
            assert (account.debits_posted, account.credits_posted) == _sums(account)
            assert not striped.filter(account=account).exists()
    if connection.vendor == "postgresql":  # the function posts the host's own accounts in stripes only
        fees = ledger.host_account(host, AccountKind.HOST_FEES)
        assert (fees.debits_posted, fees.credits_posted) == (0, 0) and striped.filter(account=fees).exists()
        assert MonthlyRollup.objects.filter(account=fees, stripe__gt=0).exists()
        assert not MonthlyRollup.objects.filter(account__kind=AccountKind.COLLECTIVE_FUNDS, stripe__gt=0).exists()
    else:  # the portable path writes rows under their locks
        assert not striped.exists() and not MonthlyRollup.objects.filter(stripe__gt=0).exists()
    fees_collected = sum(_sums(ledger.host_account(host, AccountKind.HOST_FEES))[1:])
    assert host_totals(host)["host_fees_collected"] == fees_collected > 0
    # The host's books list every account with its debits, credits and balance: row + stripes.
    client.force_login(host_admin)
    shown = client.get(f"/{host.slug}/admin/ledger").context["accounts"]
    assert {a.pk: (a.debits_total, a.credits_total) for a in shown} == {a.pk: _sums(a) for a in shown}
    check_ledger()


@pytest.mark.django_db
def test_check_ledger_sees_a_stripe_out_of_step(collective):
    contribute(collective, 1000, fee=39)
    fees = ledger.host_account(collective.host, AccountKind.PROCESSOR_FEES, "stripe")
    assert ledger_breaches()[0] == []
    AccountStripe.objects.create(account=fees, stripe=63, debits=5)  # money nobody posted
    breaches = ledger_breaches()[0]
    assert any(f"cached totals differ: account {fees.pk}" in b for b in breaches), breaches
    guarded = ledger.funds_account(collective)
    AccountStripe.objects.create(account=guarded, stripe=63)  # a guarded account is never striped
    assert any(f"striped: account {guarded.pk}" in b for b in ledger_breaches()[0])


@pytest.mark.django_db(transaction=True)
def test_undoing_the_stripes_migration_folds_them_into_the_rows(collective, second):
    from django.db.migrations.executor import MigrationExecutor

    for c, amount in ((collective, 1000), (second, 2500)):
        contribute(c, amount, fee=31)
    expected = {a.pk: a.totals for a in Account.objects.with_stripes()}
    executor = MigrationExecutor(connection)
    executor.migrate([("ledger", "0012_expense_transfers_index")])
    assert "ledger_accountstripe" not in connection.introspection.table_names()
    with connection.cursor() as cur:
        cur.execute("SELECT id, debits_posted, credits_posted FROM ledger_account")
        assert {pk: (d, c) for pk, d, c in cur.fetchall()} == expected
    call_command("migrate", verbosity=0)
    contribute(second, 300, fee=12)  # and posting goes on, in stripes again
    assert ledger_breaches()[0] == []
