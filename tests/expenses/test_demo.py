import pytest
from django.core.management import call_command

from opencity.expenses import payouts
from opencity.expenses.models import Expense, ExpenseStatus
from opencity.hosting.models import Host

pytestmark = pytest.mark.django_db


def test_demo_has_expenses_in_every_state_and_a_payable_batch(check_ledger):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    states = set(Expense.objects.values_list("status", flat=True))
    assert states == set(ExpenseStatus.values)
    assert Expense.objects.values("collective").distinct().count() >= 3
    host = Host.objects.get(profile__slug="brusselstogether")
    assert payouts.payable_expenses(host).count() >= 3
    assert not host.admins.filter(totp_enabled=True).exists()  # they turn it on themselves
    batch = payouts.payout_batch_create(host=host, system=True)
    assert batch.count >= 3
    assert all(item.receipt for e in Expense.objects.all() for item in e.items.all())
    check_ledger()
