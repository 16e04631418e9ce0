"""contributions.settle_many (many payments at once) and settlement.contribution_record_amount_received."""

import datetime as dt

import pytest

from opencity.contributions import settlement
from opencity.contributions.models import Contribution, ContributionEvent
from opencity.contributions.settle_many import Payment, contributions_record_paid_many
from opencity.ledger.models import Journal
from tests.banking.conftest import pending_transfer

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _bank(settings, host):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""
    from opencity.banking.services import bank_account_main

    bank_account_main(host=host)


def test_many_payments_settle_once_and_a_membership_goes_one_by_one(collective, check_ledger):
    gifts = [pending_transfer(collective, amount=1200 + i, email=f"m{i}@example.org") for i in range(3)]
    member = pending_transfer(collective, amount=900, email="member@example.org", interval="month")
    payments = [Payment(c.pk, f"bank_x{c.pk}", DAY) for c in [*gifts, member]]

    paid = contributions_record_paid_many(payments=payments, processor="bank_transfer")
    again = contributions_record_paid_many(payments=payments, processor="bank_transfer")

    assert {c.status for c in paid.values()} == {Contribution.Status.PAID}
    assert {pk: c.journal_id for pk, c in again.items()} == {pk: c.journal_id for pk, c in paid.items()}
    assert Journal.objects.filter(source_type="contribution").count() == 4
    member.refresh_from_db()
    assert member.recurring is not None and member.recurring.next_expected_date == dt.date(2026, 12, 20)
    for c in gifts:
        c.refresh_from_db()
        assert c.paid_at.date() == DAY and c.host_fee > 0 and c.receipt_number
        assert c.external_payment_id == f"bank_x{c.pk}"
    assert ContributionEvent.objects.filter(to_status="paid").count() == 4
    check_ledger()


def test_a_different_amount_received_is_recorded_before_settling(collective):
    c = pending_transfer(collective, amount=2500)
    assert settlement.contribution_record_amount_received(contribution=c, amount=2000) is True
    assert settlement.contribution_record_amount_received(contribution=c, amount=2000) is False  # a retry
    c.refresh_from_db()
    assert c.amount == 2000
    assert ContributionEvent.objects.filter(contribution=c, note="received 2000 (expected 2500)").count() == 1
    with pytest.raises(ValueError):
        settlement.contribution_record_amount_received(contribution=c, amount=0)
    settlement.contribution_record_paid(contribution=c, processor="bank_transfer", processor_fee=0)
    assert settlement.contribution_record_amount_received(contribution=c, amount=3000) is False  # settled: kept
    c.refresh_from_db()
    assert c.amount == 2000
