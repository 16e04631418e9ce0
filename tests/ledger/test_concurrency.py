"""Real threads, real transactions: the limit and the idempotency key hold under contention.

On PostgreSQL the row locks (select_for_update in id order) do the work; on SQLite the IMMEDIATE
transactions serialise writers. Both must give exactly the same answer.
"""

import threading

import pytest
from django.db import connection

from opencity.ledger import services as ledger
from opencity.ledger.models import Journal, Transfer
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
