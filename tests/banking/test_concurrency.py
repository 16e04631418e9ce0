"""Two imports of the same file at once give the result of one (real threads; PostgreSQL in CI, SQLite too)."""

import threading

import pytest
from django.db import connection

from opencity.banking import services
from opencity.banking.models import BankStatement, BankStatementLine, LineState
from opencity.contributions.models import Contribution
from opencity.ledger.models import Journal
from tests.banking.conftest import IBAN, pending_transfer
from tests.banking.files import Line, camt053
from tests.conftest import make_collective, make_host

pytestmark = pytest.mark.django_db(transaction=True)


def _run_all(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            results[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_same_file_imported_twice_at_once(check_ledger):
    host = make_host()
    services.bank_account_main(host=host)
    collective = make_collective(host)
    pending = [pending_transfer(collective, amount=1000 + i, email=f"p{i}@example.org") for i in range(5)]
    data = camt053(
        iban=IBAN, lines=[Line(c.amount, c.communication) for c in pending] + [Line(777, "other", structured=False)]
    )

    results = _run_all([lambda: services.statement_import(host=host, data=data, system=True) for _ in range(2)])

    assert all(not isinstance(r, str) for r in results), results
    assert sorted(len(r.new_lines) for r in results) == [0, 6]
    assert sorted(r.known_lines for r in results) == [0, 6]
    assert BankStatement.objects.count() == 1
    assert BankStatementLine.objects.count() == 6
    assert BankStatementLine.objects.filter(state=LineState.MATCHED).count() == 5
    assert Contribution.objects.filter(status=Contribution.Status.PAID).count() == 5
    assert Journal.objects.filter(source_type="bank_line").count() == 5
    check_ledger()
