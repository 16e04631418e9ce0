"""Issue 9 items 5, 6, 14, the clearing account, and issue 8 item 2 (refunds need 2FA and a reason).

Stripe is the local fake (real `stripe` library at its HTTP boundary); events carry real payload shapes:
`charge.refunded` (a charge), `charge.refund.updated` / `refund.*` (a refund), and
`checkout.session.async_payment_failed` (a session)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from opencity.contributions import settlement
from opencity.contributions.errors import RefundNotCovered
from opencity.contributions.models import Contribution, ContributionRefund, RefundIntent
from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.ledger.models import AccountKind, Journal, TransferKind
from opencity.ledger.services import funds_account, host_account
from opencity.payments.clearing import clearing_owed, processor_payout_record
from opencity.payments.models import WebhookEvent
from opencity.transparency.selectors import collective_totals
from tests.conftest import enable_2fa, make_collective, make_host, make_user, otp_header
from tests.contributions.helpers import give, top_up
from tests.payments.test_refunds import _paid
from tests.payments.test_stripe import _membership

pytestmark = pytest.mark.django_db


# --- item 5: a membership's charge refunded before its invoice.paid reached us -----------------------


def test_membership_refund_before_invoice_paid_is_posted_not_dropped(
    client, collective, collective_admin, fake_stripe, deliver, check_ledger
):
    top_up(collective, 1000)  # other money, to bear the card fee Stripe keeps
    c, session = _membership(client, collective, collective_admin, fake_stripe)
    invoice = fake_stripe.objects[session["invoice"]]
    charge = fake_stripe.refund(fake_stripe.charge_of(invoice))
    # Out of order: the refund first. We find the invoice through the payment intent, settle it, then refund.
    assert deliver("charge.refunded", charge, event_id="evt_early_refund").status_code == 200
    c.refresh_from_db()
    assert c.status == "refunded" and c.amount_refunded == 1000
    assert WebhookEvent.objects.get(event_id="evt_early_refund").note != "unknown charge"
    for type_, obj in (("invoice.paid", invoice), ("checkout.session.completed", session)):
        assert deliver(type_, obj).status_code == 200
    assert Contribution.objects.count() == 1 and ContributionRefund.objects.count() == 1
    assert funds_account(collective).balance == 1000 - 40  # the card fee is the collective's cost
    check_ledger()


def test_refund_of_a_charge_not_ours_yet_asks_stripe_to_retry(client, collective, fake_stripe, deliver, check_ledger):
    top_up(collective, 1000)
    client.post(
        f"/{collective.slug}/contribute",
        {"amount": "25", "payment_method": "stripe", "email": "a@example.org", "name": "A"},
    )
    c = Contribution.objects.get()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=61)
    charge_id = fake_stripe.charge_of(session)
    fake_stripe.objects[charge_id]["metadata"] = {}  # nothing links it to us until the session is settled
    fake_stripe.objects[fake_stripe.objects[charge_id]["payment_intent"]]["metadata"] = {}
    charge = fake_stripe.refund(charge_id)
    r = deliver("charge.refunded", charge, event_id="evt_not_yet")
    assert r.status_code == 503  # not marked processed: Stripe delivers it again
    assert WebhookEvent.objects.get(event_id="evt_not_yet").processed_at is None
    deliver("checkout.session.completed", session)
    assert deliver("charge.refunded", charge, event_id="evt_not_yet").status_code == 200
    c.refresh_from_db()
    assert c.status == "refunded"
    check_ledger()


# --- item 14: outcomes Stripe reports later -------------------------------------------------------------


def test_refund_that_fails_later_posts_the_money_back(client, collective, fake_stripe, deliver, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    before = funds_account(collective).balance
    totals_before = collective_totals(collective)
    charge = fake_stripe.refund(charge_id, amount=1000)
    deliver("charge.refunded", charge)
    refund_id = charge["_refunds"][0] if "_refunds" in charge else ContributionRefund.objects.get().external_id
    assert funds_account(collective).balance == before - 1000 + 80
    failed = fake_stripe.refund_status(refund_id, "failed")
    for _ in range(3):  # the same outcome, several events: reversed once
        assert deliver("charge.refund.updated", failed).status_code == 200
    deliver("refund.failed", failed)
    c.refresh_from_db()
    row = ContributionRefund.objects.get()
    assert row.failed_journal is not None and row.failed_journal.reverses == row.journal
    assert c.status == "paid" and c.amount_refunded == 0
    assert funds_account(collective).balance == before
    assert collective_totals(collective) == totals_before
    assert Journal.objects.filter(reverses=row.journal).count() == 1
    # A later charge.refunded listing the failed refund changes nothing.
    deliver("charge.refunded", fake_stripe.objects[charge_id])
    assert funds_account(collective).balance == before
    check_ledger()


def test_pending_refund_is_posted_when_created_and_kept_when_it_succeeds(
    client, collective, fake_stripe, deliver, host_admin, check_ledger
):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    fake_stripe.next_refund_status = "pending"
    settlement.contribution_refund(contribution=c, by=enable_2fa(host_admin), reason="Double payment")
    row = ContributionRefund.objects.get()
    c.refresh_from_db()
    assert c.status == "refunded" and row.amount == 2500  # a pending refund has left Stripe's balance
    refund = fake_stripe.objects[row.external_id]
    assert refund["status"] == "pending" and refund["metadata"]["refund_intent"].startswith("contribution_")
    deliver("refund.created", refund)
    deliver("charge.refund.updated", fake_stripe.refund_status(row.external_id, "succeeded"))
    assert ContributionRefund.objects.count() == 1 and funds_account(collective).balance == 1000 - 61
    # The pending one fails after all: the money is back.
    deliver("charge.refund.updated", fake_stripe.refund_status(row.external_id, "failed"))
    c.refresh_from_db()
    assert c.status == "paid" and funds_account(collective).balance == 1000 + 2500 - 61 - 200
    check_ledger()


def test_refund_created_event_before_charge_refunded_posts_it_once(client, collective, fake_stripe, deliver):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    charge = fake_stripe.refund(charge_id, amount=500)
    refund = fake_stripe.objects[fake_stripe.objects[charge_id]["_refunds"][0]]
    deliver("refund.created", refund)
    deliver("charge.refunded", charge)
    assert ContributionRefund.objects.get().amount == 500


def test_async_payment_failed_marks_the_contribution_failed(client, collective, fake_stripe, deliver, check_ledger):
    client.post(
        f"/{collective.slug}/contribute",
        {"amount": "25", "payment_method": "stripe", "email": "a@example.org", "name": "A"},
    )
    c = Contribution.objects.get()
    session = fake_stripe.objects[c.external_checkout_id]
    session.update(status="complete", payment_status="unpaid")  # SEPA debit: completed, money not there yet
    deliver("checkout.session.completed", session)
    c.refresh_from_db()
    assert c.status == "pending"
    for _ in range(2):
        assert deliver("checkout.session.async_payment_failed", session).status_code == 200
    c.refresh_from_db()
    assert c.status == "failed" and c.journal_id is None
    assert list(c.events.values_list("to_status", flat=True)).count("failed") == 1
    check_ledger()


# --- issue 8 item 2: refunds need a two-factor session and a reason; the public line says why --------


def test_refund_needs_2fa_and_a_reason_and_the_public_line_shows_it(
    client, collective, fake_stripe, deliver, host_admin, check_ledger
):
    c, _charge = _paid(client, collective, fake_stripe, deliver)
    with pytest.raises(PermissionDenied) as exc:
        settlement.contribution_refund(contribution=c, by=host_admin, reason="Given twice")
    assert exc.value.code == "2fa_required"
    assert not [x for x in fake_stripe.requests if x[1] == "/v1/refunds"]  # Stripe was not called
    enable_2fa(host_admin)
    with pytest.raises(ValidationFailed) as exc:
        settlement.contribution_refund(contribution=c, by=host_admin, reason="   ")
    assert exc.value.code == "reason_required"
    assert not [x for x in fake_stripe.requests if x[1] == "/v1/refunds"]
    stranger = enable_2fa(make_user())
    with pytest.raises(PermissionDenied):
        settlement.contribution_refund(contribution=c, by=stranger, reason="x")
    settlement.contribution_refund(contribution=c, by=host_admin, reason="Given twice by mistake")
    refund = Journal.objects.get(kind=TransferKind.REFUND)
    assert refund.reason == "Given twice by mistake" and refund.created_by == host_admin
    assert RefundIntent.objects.get().reason == "Given twice by mistake"
    page = Client().get(f"/{collective.slug}/transactions").content.decode()
    assert "Given twice by mistake" in page
    check_ledger()


def test_refund_through_the_api_needs_a_reason_and_2fa(client, collective, fake_stripe, deliver, host_admin, api_token):
    c, _charge = _paid(client, collective, fake_stripe, deliver)
    headers = {"HTTP_AUTHORIZATION": api_token(host_admin)}
    api = Client()
    url = f"/api/v1/contributions/{c.public_id}/refund"
    r = api.post(url, {"reason": "Asked by the donor"}, content_type="application/json", **headers)
    assert r.status_code == 403 and r.json()["code"] == "2fa_required"
    enable_2fa(host_admin)
    r = api.post(url, {}, content_type="application/json", **headers)
    assert r.status_code in (400, 422) and "code" in r.json()
    r = api.post(
        url, {"reason": "Asked by the donor"}, content_type="application/json", **headers, **otp_header(host_admin)
    )
    assert r.status_code == 200 and r.json()["status"] == "refunded"
    r = api.post(url, {"reason": "Again"}, content_type="application/json", **headers, **otp_header(host_admin))
    assert r.status_code == 409 and r.json()["code"] == "already_refunded"
    other = make_collective(make_host())
    outsider = {"HTTP_AUTHORIZATION": api_token(enable_2fa(other.host.admins.first()))}
    r = api.post(url, {"reason": "x"}, content_type="application/json", **outsider)
    assert r.status_code == 404


def test_refund_retry_after_a_stripe_outage_reuses_the_intent(client, collective, fake_stripe, deliver, host_admin):
    c, _charge = _paid(client, collective, fake_stripe, deliver)
    enable_2fa(host_admin)
    fake_stripe.fail_next = 3  # the library retries twice; all fail
    with pytest.raises(Exception):  # noqa: B017 - ProcessorUnavailable, a DomainError
        settlement.contribution_refund(contribution=c, by=host_admin, reason="Given twice")
    assert not Journal.objects.filter(kind=TransferKind.REFUND).exists()
    settlement.contribution_refund(contribution=c, by=host_admin, reason="Given twice")
    assert RefundIntent.objects.count() == 1 and ContributionRefund.objects.count() == 1
    keys = {x[3].get("Idempotency-Key") for x in fake_stripe.requests if x[1] == "/v1/refunds"}
    assert keys == {f"contribution_{c.public_id}_refund"}


# --- the clearing account: what Stripe owes, cleared by its payout --------------------------------------


def test_clearing_is_gross_minus_fees_minus_refunds_and_the_payout_clears_it(
    client, collective, fake_stripe, deliver, check_ledger
):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)  # 2500 gross, 61 fee
    host = collective.host
    assert clearing_owed(host=host, processor="stripe") == 2500 - 61
    deliver("charge.refunded", fake_stripe.refund(charge_id, amount=700, fee_refunded=10))
    # Another gift, and a dispute with Stripe's dispute fee.
    client2 = Client()
    client2.post(
        f"/{collective.slug}/contribute",
        {"amount": "40", "payment_method": "stripe", "email": "b@example.org", "name": "B"},
    )
    c2 = Contribution.objects.exclude(pk=c.pk).get()
    s2 = fake_stripe.pay_session(c2.external_checkout_id, fee=85)
    deliver("checkout.session.completed", s2)
    deliver("charge.dispute.created", fake_stripe.dispute(fake_stripe.charge_of(s2), fee=1500))
    gross, fees, refunds = 2500 + 4000, 61 - 10 + 85 + 1500, 700 + 4000
    payout = gross - fees - refunds
    assert clearing_owed(host=host, processor="stripe") == payout
    # No fee sits in a separate account any more: clearing alone says what Stripe owes.
    assert host_account(host, AccountKind.PROCESSOR_FEES, processor="stripe").balance == 0
    for _ in range(2):
        processor_payout_record(host=host, processor="stripe", amount=payout, external_id="po_test_1")
    assert clearing_owed(host=host, processor="stripe") == 0
    assert host_account(host, AccountKind.BANK).balance == -1000 - payout  # top-up and payout: the bank holds it
    check_ledger()


# --- item 6: no lock is held across the call to Stripe ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_slow_refund_does_not_block_other_collectives(fake_stripe, check_ledger):
    """While one refund is held at Stripe, another collective's payment and an expense approval of the same host
    go through (PostgreSQL: real row locks; SQLite: the write lock is not held either). Stripe answers the refund
    only once they are done: had the refund kept a lock they need, they would wait for Stripe's 60 s timeout and
    finish after the refund, and the test says so."""
    from opencity.expenses import approvals
    from tests.expenses.conftest import submit

    host = make_host()
    admin = enable_2fa(host.admins.first())
    a, b = make_collective(host), make_collective(host)
    client = Client()
    c, _charge = _paid(client, a, fake_stripe, _deliverer(client))
    b_admin = b.admins.first()
    expense = submit(b, make_user(), amount=1000)
    other_payment = give(b, amount=1500, method="stripe")  # pending at Stripe; settled below
    fake_stripe.refund_gate = threading.Event()
    errors: list[BaseException] = []
    refund_done = threading.Event()

    def slow_refund():
        try:
            settlement.contribution_refund(contribution=c, by=admin, reason="Given twice")
            refund_done.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=slow_refund)
    t.start()
    assert fake_stripe.refund_held.wait(timeout=60), errors  # the refund is now waiting for Stripe
    top_up(b, 5000, key="other-collective-payment")
    settlement.contribution_record_paid(
        contribution=other_payment, processor="stripe", processor_fee=30, external_payment_id="ch_other"
    )
    approvals.expense_approve(expense=expense, by=b_admin)
    finished_before_the_refund = not refund_done.is_set()
    fake_stripe.refund_gate.set()
    t.join()
    fake_stripe.refund_gate = None
    assert not errors, errors
    # The other collective's payment and approval did not wait for the refund's Stripe call to return.
    assert finished_before_the_refund and fake_stripe.refund_gate_opened
    c.refresh_from_db()
    assert c.status == "refunded"
    check_ledger()


def _deliverer(client):
    from tests.payments.fake_stripe import event, signed

    def deliver(type_, obj, event_id=None):
        body, header = signed(event(type_, obj, event_id), "whsec_test_secret")
        return client.post("/webhooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    return deliver


def test_refund_not_covered_is_refused_before_stripe(client, collective, fake_stripe, deliver, host_admin):
    c, _charge = _paid(client, collective, fake_stripe, deliver, top=0)
    with pytest.raises(RefundNotCovered):
        settlement.contribution_refund(contribution=c, by=enable_2fa(host_admin), reason="Given twice")
    assert not [x for x in fake_stripe.requests if x[1] == "/v1/refunds"]
