"""The database refuses broken rows even if a service had a bug (CheckConstraints, unique ids)."""

import pytest
from django.db import IntegrityError, transaction

from opencity.community.services import person_find_or_create
from opencity.contributions.models import Contribution, RecurringContribution, Tier

pytestmark = pytest.mark.django_db


def _row(collective, **kw):
    person = person_find_or_create(email="row@example.org")
    data = {"collective": collective, "person": person, "amount": 1000, "currency": "EUR", "payment_method": "demo"}
    data.update(kw)
    return Contribution(**data)


@pytest.mark.parametrize(
    "kw",
    [
        {"amount": 0},
        {"amount": -5},
        {"amount": 10**12},
        {"covered_fees": 1000},
        {"processor_fee": -1},
        {"status": "paid"},  # paid without a journal
    ],
)
def test_contribution_constraints(collective, kw):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(collective, **kw).save()


def test_unique_external_ids(collective):
    _row(collective, external_invoice_id="in_1", receipt_number="X-1").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(collective, external_invoice_id="in_1").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(collective, receipt_number="X-1").save()


def test_tier_and_recurring_constraints(collective):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tier.objects.create(collective=collective, name="x", slug="x", amount_type="fixed", amount=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tier.objects.create(collective=collective, name="y", slug="y", minimum=0)
    person = person_find_or_create(email="rec@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurringContribution.objects.create(
            collective=collective,
            person=person,
            amount=1000,
            currency="EUR",
            interval="once",
            payment_method="demo",
            cancel_token="t1",
        )
