"""Real threads, real transactions: the limit and the idempotency key hold under contention.

On PostgreSQL the row locks (select_for_update in id order) do the work; on SQLite the IMMEDIATE
transactions serialise writers. Both must give exactly the same answer.
"""

import threading

import pytest
from django.db import connection

from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind, Journal, MonthlyRollup, Transfer, TransferKind
from tests.ledger.helpers import balance, spend


def _run_threads(n: int, target) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.fixture
def funded(collective, host_admin):
    ledger.added_funds_record(
        collective=collective, amount=1000, source="Sponsor", description="grant", charge_host_fee=False, by=host_admin
    )
    assert balance(collective) == 1000
    return collective


@pytest.mark.django_db(transaction=True)
def test_forty_spenders_ten_succeed(funded, check_ledger):
    results = _run_threads(40, lambda i: spend(funded, 100, idempotency_key=f"spend-{i}"))
    ok = [r for r in results if isinstance(r, Journal)]
    refused = [r for r in results if isinstance(r, ledger.InsufficientFunds)]
    assert len(ok) == 10 and len(refused) == 30, [
        type(r).__name__ + str(r) for r in results if not isinstance(r, (Journal, ledger.InsufficientFunds))
    ]
    assert balance(funded) == 0
    assert Transfer.objects.filter(kind="expense").count() == 10
    check_ledger()


@pytest.mark.django_db(transaction=True)
def test_twenty_retries_of_one_key_post_one_journal(funded, check_ledger):
    results = _run_threads(20, lambda i: spend(funded, 300, idempotency_key="the-same-key"))
    assert all(isinstance(r, Journal) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Journal.objects.filter(idempotency_key="the-same-key").count() == 1
    assert balance(funded) == 700
    check_ledger()


@pytest.mark.django_db(transaction=True)
def test_imports_single_journals_and_spenders_on_the_same_accounts_at_once(funded, check_ledger):
    """Bank imports (`post_journals`, overlapping batches as a re-imported file gives), single contributions
    (`post_journal`) and spenders, all on one collective's funds and the host's accounts, released together:
    nothing deadlocks or fails but refused overdrafts, every key is posted once, the fund never goes below
    zero, and the totals and monthly rollups agree with the transfers (check-ledger)."""
    host = funded.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "bank_transfer")
    funds = ledger.funds_account(funded)
    fees = ledger.host_account(host, AccountKind.HOST_FEES)

    def gift(key: str) -> ledger.JournalSpec:
        return ledger.JournalSpec(
            host=host,
            idempotency_key=key,
            kind=TransferKind.CONTRIBUTION,
            legs=[
                ledger.Leg(clearing, funds, 100, TransferKind.CONTRIBUTION),
                ledger.Leg(funds, fees, 10, TransferKind.HOST_FEE),
            ],
        )

    def work(i: int):
        role, n = i % 3, i // 3
        if role == 0:  # importer n: lines 10n … 10n+19, half of them its neighbour's too
            return ledger.post_journals([gift(f"line:{k}") for k in range(10 * n, 10 * n + 20)])
        if role == 1:
            return ledger.post_journal(**gift(f"card:{n}").kwargs())
        return spend(funded, 700, idempotency_key=f"spend:{n}")

    results = _run_threads(30, work)

    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ledger.InsufficientFunds)]
    assert not unexpected, [f"{type(r).__name__}: {r}" for r in unexpected]
    imported = [j for r in results[0::3] for j in r]
    assert {j.idempotency_key for j in imported} == {f"line:{k}" for k in range(110)}
    assert Journal.objects.filter(idempotency_key__startswith="line:").count() == 110
    assert Journal.objects.filter(idempotency_key__startswith="card:").count() == 10
    spent = sum(isinstance(r, Journal) for r in results[2::3])
    assert spent == Journal.objects.filter(idempotency_key__startswith="spend:").count()
    assert spent >= 1  # 1,000 was there before anything ran
    assert balance(funded) == 1000 + 120 * 90 - 700 * spent >= 0
    rolled = MonthlyRollup.objects.filter(account=funds, kind=TransferKind.CONTRIBUTION)
    assert sum(r.count for r in rolled) == 120
    check_ledger()
