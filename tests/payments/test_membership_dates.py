"""Issue 9 item 7: a membership's next expected date comes from the processor's period end (Stripe's
`current_period_end`), or from the anchor day for bank standing orders — never "last payment + 1 month"."""

import datetime as dt

import pytest
from django.utils import timezone

from opencity.contributions import recurring, services, settlement
from opencity.contributions.models import Contribution, RecurringContribution, Tier
from tests.payments.test_stripe import _checkout

pytestmark = pytest.mark.django_db


def _ts(day: dt.date) -> int:
    return int(timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0))).timestamp())


def test_stripe_member_who_joined_on_31_january_is_expected_on_31_march(
    client, collective, collective_admin, fake_stripe, deliver, mailoutbox
):
    tier = services.tier_create(
        collective=collective,
        by=collective_admin,
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )
    _checkout(client, collective, path=f"/{tier.slug}")
    c = Contribution.objects.get()
    # Joined 31 January 2027: Stripe's first period ends on 28 February, the next on 31 March.
    session = fake_stripe.pay_session(c.external_checkout_id, fee=40, period_end=_ts(dt.date(2027, 2, 28)))
    deliver("checkout.session.completed", session)
    rec = RecurringContribution.objects.get()
    assert rec.next_expected_date == dt.date(2027, 2, 28)
    renewal = fake_stripe.renew(session["subscription"], fee=40, period_end=_ts(dt.date(2027, 3, 31)))
    deliver("invoice.paid", renewal)
    rec.refresh_from_db()
    assert rec.next_expected_date == dt.date(2027, 3, 31)  # "28 Feb + 1 month" would say 28 March
    # On 30 March nothing is late: no false "could not be renewed" email.
    mailoutbox.clear()
    counts = recurring.memberships_check(today=dt.date(2027, 3, 30))
    rec.refresh_from_db()
    assert counts["past_due"] == 0 and rec.status == "active" and mailoutbox == []


def test_standing_order_keeps_its_anchor_day(collective, settings):
    """A bank standing order anchored on the 31st: 28 February, then 31 March and 30 April, never the 28th."""
    settings.DEMO_MODE = True
    data = services.CheckoutRequest(
        amount=1000, payment_method="demo", email="member@example.org", name="Member", interval="month"
    )
    first = services.contribution_create(collective=collective, data=data)
    settlement.contribution_record_paid(
        contribution=first, processor="bank_transfer", processor_fee=0, effective_date=dt.date(2027, 1, 31)
    )
    rec = RecurringContribution.objects.get()
    assert (rec.anchor_day, rec.next_expected_date) == (31, dt.date(2027, 2, 28))
    expected = [dt.date(2027, 3, 31), dt.date(2027, 4, 30), dt.date(2027, 5, 31)]
    paid_on = [dt.date(2027, 2, 28), dt.date(2027, 4, 1), dt.date(2027, 4, 30)]  # one of them a day late
    for i, (day, nxt) in enumerate(zip(paid_on, expected, strict=True)):
        settlement.contribution_record_renewal(
            recurring=rec,
            amount=1000,
            processor_fee=0,
            external_invoice_id=f"standing-order-{i}",
            effective_date=day,
        )
        rec.refresh_from_db()
        assert rec.next_expected_date == nxt


def test_anchor_arithmetic():
    assert settlement.add_interval_on_anchor(dt.date(2027, 2, 28), "month", 31) == dt.date(2027, 3, 31)
    assert settlement.add_interval_on_anchor(dt.date(2027, 1, 31), "month", 31) == dt.date(2027, 2, 28)
    assert settlement.add_interval_on_anchor(dt.date(2028, 1, 31), "month", 31) == dt.date(2028, 2, 29)
    assert settlement.add_interval_on_anchor(dt.date(2028, 2, 29), "year", 29) == dt.date(2029, 2, 28)
