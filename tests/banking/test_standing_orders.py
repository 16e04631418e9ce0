"""Standing orders that stop, pending transfers that expire, and their emails."""

import datetime as dt

from django.core import mail

from opencity.banking import services
from opencity.banking.standing_orders import pending_transfers_expire, standing_orders_check
from opencity.contributions.models import Contribution, RecurringContribution
from opencity.contributions.recurring import memberships_check
from opencity.contributions.selectors import collective_monthly_recurring_income
from tests.banking.conftest import IBAN, pending_transfer
from tests.banking.files import Line, coda

RS = RecurringContribution.Status


def _member(host, collective, paid_on):
    c = pending_transfer(collective, amount=1000, interval="month", email="member@example.org", name="Member")
    services.statement_import(
        host=host, data=coda(iban=IBAN, lines=[Line(1000, c.communication, date=paid_on)]), system=True
    )
    c.refresh_from_db()
    return c


def test_missed_month_past_due_then_lapsed_then_revived(
    host, collective, bank_account, django_capture_on_commit_callbacks
):
    paid_on = dt.date(2026, 9, 1)
    c = _member(host, collective, paid_on)
    rec = c.recurring
    assert rec.next_expected_date == dt.date(2026, 10, 1)
    grace = host.membership_grace_days
    # Within the grace period: nothing. The card processors' check leaves standing orders alone.
    assert standing_orders_check(today=dt.date(2026, 10, 1) + dt.timedelta(days=grace - 1)) == {
        "past_due": 0,
        "lapsed": 0,
    }
    memberships_check(today=dt.date(2026, 10, 20))
    rec.refresh_from_db()
    assert rec.status == RS.ACTIVE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert standing_orders_check(today=dt.date(2026, 10, 1) + dt.timedelta(days=grace))["past_due"] == 1
    rec.refresh_from_db()
    assert rec.status == RS.PAST_DUE
    assert len(mail.outbox) == 1 and "stopped" in mail.outbox[0].subject
    assert collective_monthly_recurring_income(collective) == 1000
    # A second month missed: lapsed, and no longer counted in the yearly budget.
    assert standing_orders_check(today=dt.date(2026, 11, 1) + dt.timedelta(days=grace))["lapsed"] == 1
    rec.refresh_from_db()
    assert rec.status == RS.CANCELLED
    assert collective_monthly_recurring_income(collective) == 0
    # A later credit with the same communication revives it.
    services.statement_import(
        host=host,
        data=coda(iban=IBAN, seq="002", lines=[Line(1000, c.communication, date=dt.date(2026, 12, 3))]),
        system=True,
    )
    rec.refresh_from_db()
    # The standing order keeps its anchor day (the 1st), whatever day a late credit arrives (issue 9 item 7).
    assert rec.status == RS.ACTIVE and rec.next_expected_date == dt.date(2027, 1, 1)
    assert collective_monthly_recurring_income(collective) == 1000


def test_pending_transfer_expires_with_an_email_once(
    host, collective, bank_account, django_capture_on_commit_callbacks
):
    c = pending_transfer(collective)
    mail.outbox.clear()
    today = dt.date.today()
    assert pending_transfers_expire(today=today) == 0
    later = today + dt.timedelta(days=host.bank_transfer_expiry_days)
    with django_capture_on_commit_callbacks(execute=True):
        assert pending_transfers_expire(today=later) == 1
        assert pending_transfers_expire(today=later) == 0
    c.refresh_from_db()
    assert c.status == Contribution.Status.CANCELLED
    assert len(mail.outbox) == 1 and "did not arrive" in mail.outbox[0].subject


def test_instructions_email_with_qr_sent_once(host, collective, bank_account, django_capture_on_commit_callbacks):
    from opencity.contributions import services as contributions

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c = pending_transfer(collective, amount=4200)
        contributions.contribution_start_payment(contribution=c)  # a double submit
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert "+++" in msg.body and "BE68 5390 0754 7034" in msg.body and "42.00" in msg.body
    assert msg.attachments[0][0] == "transfer-qr.png"
    assert msg.attachments[0][1][:8] == b"\x89PNG\r\n\x1a\n"


def test_host_chooses_the_expiry_days(host, collective, bank_account):
    import pytest

    from opencity.core.errors import ValidationFailed
    from opencity.hosting.services import host_update

    admin = host.admins.first()
    with pytest.raises(ValidationFailed) as err:
        host_update(host=host, by=admin, bank_transfer_expiry_days=0)
    assert err.value.code == "invalid_expiry"
    host_update(host=host, by=admin, bank_transfer_expiry_days=3)
    pending_transfer(collective)
    today = dt.date.today()
    assert pending_transfers_expire(today=today + dt.timedelta(days=2)) == 0
    assert pending_transfers_expire(today=today + dt.timedelta(days=3)) == 1
