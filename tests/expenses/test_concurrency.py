"""Real threads, real transactions: the collective's balance is never overspent, whoever clicks at once."""

import threading

import pytest
from django.db import connection

from opencity.core.errors import DomainError
from opencity.expenses import payouts
from opencity.expenses.models import Expense, ExpenseStatus
from opencity.hosting import services as hosting
from opencity.ledger import services as ledger
from opencity.ledger.models import Transfer
from tests.conftest import make_collective, make_host, make_user
from tests.expenses.conftest import approved, enable_2fa, fund

pytestmark = pytest.mark.django_db(transaction=True)


def _run_all(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            fn()
            results[i] = "paid"
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_thirty_payments_at_once_never_exceed_the_balance(check_ledger):
    host = make_host()
    admins = [enable_2fa(host.admins.first())]
    second = make_user()
    hosting.host_add_admin(host=host, user=second)
    admins.append(enable_2fa(second))
    collective = make_collective(host)
    submitter = make_user()
    fund(collective, 20_500)
    expenses = [approved(collective, submitter, 1000) for _ in range(30)]  # 30.00 asked, 20.50 held

    results = _run_all(
        [lambda e=e, i=i: payouts.expense_mark_paid(expense=e, by=admins[i % 2]) for i, e in enumerate(expenses)]
    )

    assert results.count("paid") == 20, results
    assert results.count("insufficient_funds") == 10, results
    paid = Expense.objects.filter(status=ExpenseStatus.PAID)
    assert paid.count() == 20
    assert sum(e.amount for e in paid) <= 20_500
    assert Expense.objects.filter(status=ExpenseStatus.APPROVED).count() == 10
    assert ledger.funds_account(collective).balance == 500
    check_ledger()


def test_two_admins_paying_the_same_expense_pay_it_once(check_ledger):
    host = make_host()
    first = enable_2fa(host.admins.first())
    second = make_user()
    hosting.host_add_admin(host=host, user=second)
    enable_2fa(second)
    collective = make_collective(host)
    fund(collective, 10_000)
    expense = approved(collective, make_user(), 3000)

    results = _run_all([lambda u=u: payouts.expense_mark_paid(expense=expense, by=u) for u in (first, second)])

    assert results == ["paid", "paid"]  # the second click sees it paid and changes nothing
    assert ledger.funds_account(collective).balance == 7000
    assert Transfer.objects.filter(kind="expense").count() == 1
    check_ledger()


def test_two_payout_files_at_once_never_share_an_expense(check_ledger):
    host = make_host()
    first = enable_2fa(host.admins.first())
    second = make_user()
    hosting.host_add_admin(host=host, user=second)
    enable_2fa(second)
    collective = make_collective(host)
    fund(collective, 50_000)
    submitter = make_user()
    expenses = [approved(collective, submitter, 1000) for _ in range(6)]

    results = _run_all([lambda u=u: payouts.payout_batch_create(host=host, by=u) for u in (first, second)])

    assert sorted(results) in (["nothing_payable", "paid"], ["conflict", "paid"]), results
    from opencity.expenses.models import PayoutLine

    assert PayoutLine.objects.filter(status="open").count() == len(expenses)
    assert PayoutLine.objects.values("expense").distinct().count() == len(expenses)
    check_ledger()
