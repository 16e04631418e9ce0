"""Stripe end to end against the local fake: checkout, webhooks (signed), settlement from Stripe's objects."""

import pytest
from django.test import Client

from opencity.contributions import services, settlement
from opencity.contributions.models import Contribution, RecurringContribution, Tier
from opencity.ledger.models import Journal, Transfer, TransferKind
from opencity.ledger.services import funds_account
from opencity.payments.models import WebhookEvent
from tests.conftest import enable_2fa, make_collective, make_host
from tests.payments.conftest import deliver_concurrently

pytestmark = pytest.mark.django_db


def _checkout(client, collective, path="", **data):
    base = {"amount": "25", "payment_method": "stripe", "email": "card@example.org", "name": "Card Payer"}
    base.update(data)
    return client.post(f"/{collective.slug}/contribute{path}", base)


def test_one_time_card_payment(
    client, collective, fake_stripe, deliver, check_ledger, mailoutbox, django_capture_on_commit_callbacks
):
    response = _checkout(client, collective)
    c = Contribution.objects.get()
    assert c.status == "pending" and c.external_checkout_id
    assert (
        response.status_code == 302 and response.url == f"https://checkout.stripe.test/c/pay/{c.external_checkout_id}"
    )
    create = [r for r in fake_stripe.requests if r[0] == "POST" and r[1] == "/v1/checkout/sessions"][0]
    assert create[3]["Idempotency-Key"] == f"contribution_{c.public_id}_checkout"
    assert create[2]["mode"] == "payment" and create[2]["line_items"]["0"]["price_data"]["unit_amount"] == "2500"

    session = fake_stripe.pay_session(c.external_checkout_id, fee=61)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver("checkout.session.completed", session).status_code == 200
    c.refresh_from_db()
    assert c.status == "paid" and c.processor_fee == 61 and c.host_fee == 200
    assert c.external_payment_id == fake_stripe.charge_of(session)
    legs = {t.kind: t.amount for t in c.journal.transfers.all()}
    assert legs == {TransferKind.CONTRIBUTION: 2500, TransferKind.PROCESSOR_FEE: 61, TransferKind.HOST_FEE: 200}
    assert funds_account(collective).balance == 2500 - 61 - 200
    assert len(mailoutbox) == 1 and c.receipt_number in mailoutbox[0].subject
    check_ledger()


def test_same_event_twenty_times_posts_once(client, collective, fake_stripe, deliver, check_ledger):
    _checkout(client, collective)
    c = Contribution.objects.get()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=50)
    for _ in range(20):
        assert deliver("checkout.session.completed", session, event_id="evt_same").status_code == 200
    assert Journal.objects.count() == 1 and Transfer.objects.count() == 3
    row = WebhookEvent.objects.get()
    assert row.deliveries == 20 and row.processed_at is not None
    # A different event about the same payment changes nothing either.
    deliver("checkout.session.completed", session)
    assert Journal.objects.count() == 1
    check_ledger()


def test_bad_signature_is_refused_and_changes_nothing(client, collective, fake_stripe):
    from tests.payments.fake_stripe import event, signed

    _checkout(client, collective)
    c = Contribution.objects.get()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=50)
    body, _ = signed(event("checkout.session.completed", session), "whsec_wrong")
    _, header = signed(event("checkout.session.completed", session), "whsec_test_secret")
    for sig in ["", "t=1,v1=deadbeef", header]:  # missing, forged, and valid for another body
        r = client.post("/webhooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)
        assert r.status_code == 400
    assert WebhookEvent.objects.count() == 0
    c.refresh_from_db()
    assert c.status == "pending" and Journal.objects.count() == 0
    assert client.get("/webhooks/stripe").status_code == 405


def _membership(client, collective, collective_admin, fake_stripe):
    tier = services.tier_create(
        collective=collective,
        by=collective_admin,
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )
    r = _checkout(client, collective, path=f"/{tier.slug}")
    assert r.status_code == 302
    c = Contribution.objects.get()
    create = [x for x in fake_stripe.requests if x[1] == "/v1/checkout/sessions"][-1][2]
    assert create["mode"] == "subscription"
    assert create["line_items"]["0"]["price_data"]["recurring"]["interval"] == "month"
    return c, fake_stripe.pay_session(c.external_checkout_id, fee=40)


def test_membership_invoice_paid_before_checkout_completed(
    client, collective, collective_admin, fake_stripe, deliver, check_ledger
):
    c, session = _membership(client, collective, collective_admin, fake_stripe)
    invoice = fake_stripe.objects[session["invoice"]]
    assert deliver("invoice.paid", invoice).status_code == 200  # out of order: before the session event
    assert deliver("checkout.session.completed", session).status_code == 200
    c.refresh_from_db()
    rec = c.recurring
    assert c.status == "paid" and c.processor_fee == 40 and c.external_invoice_id == invoice["id"]
    assert rec.status == "active" and rec.processor_subscription_id == session["subscription"]
    assert Contribution.objects.count() == 1 and Journal.objects.count() == 1

    # Next month: a new contribution, linked to the membership, with its own fee.
    renewal = fake_stripe.renew(session["subscription"], fee=39)
    for _ in range(3):
        assert deliver("invoice.paid", renewal).status_code == 200
    assert Contribution.objects.count() == 2
    second = Contribution.objects.exclude(pk=c.pk).get()
    assert second.recurring == rec and second.status == "paid" and second.processor_fee == 39
    assert second.receipt_number != c.receipt_number
    assert funds_account(collective).balance == 2 * (1000 - 80) - 40 - 39

    # Stripe ends the subscription: the membership is cancelled.
    sub = fake_stripe.cancel_subscription(session["subscription"])
    assert deliver("customer.subscription.deleted", sub).status_code == 200
    rec.refresh_from_db()
    assert rec.status == "cancelled"
    check_ledger()


def test_admin_cancels_membership_through_the_api(client, collective, collective_admin, fake_stripe, deliver):
    c, session = _membership(client, collective, collective_admin, fake_stripe)
    deliver("checkout.session.completed", session)
    rec = RecurringContribution.objects.get()
    admin_client = Client()
    admin_client.force_login(collective_admin)
    r = admin_client.post(f"/memberships/{rec.public_id}/cancel", {"next": "/", "confirm": "yes"})
    assert r.status_code == 302
    rec.refresh_from_db()
    assert rec.status == "cancelled"
    assert any(
        m == "DELETE" and p == f"/v1/subscriptions/{session['subscription']}" for m, p, *_ in fake_stripe.requests
    )
    assert fake_stripe.objects[session["subscription"]]["status"] == "canceled"


def test_refund_when_the_collective_spent_the_money_is_refused(
    client, collective, fake_stripe, deliver, host_admin, mailoutbox, check_ledger, django_capture_on_commit_callbacks
):
    from opencity.contributions.errors import RefundNotCovered
    from opencity.ledger.models import AccountKind
    from opencity.ledger.services import Leg, host_account, post_journal
    from tests.payments.fake_stripe import signed

    _checkout(client, collective)
    c = Contribution.objects.get()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=61)
    deliver("checkout.session.completed", session)
    c.refresh_from_db()
    funds = funds_account(collective)
    post_journal(
        host=collective.host,
        idempotency_key="spend",
        kind=TransferKind.EXPENSE,
        legs=[Leg(funds, host_account(collective.host, AccountKind.PAYEES), funds.balance, TransferKind.EXPENSE)],
    )
    with pytest.raises(RefundNotCovered):
        settlement.contribution_refund(contribution=c, by=enable_2fa(host_admin), reason="asked twice")
    assert not [x for x in fake_stripe.requests if x[1] == "/v1/refunds"]  # Stripe not called
    charge = fake_stripe.refund(fake_stripe.charge_of(session))
    with django_capture_on_commit_callbacks(execute=True):
        r = deliver("charge.refunded", charge)
    assert r.status_code == 503  # Stripe will retry; the host admins are told
    row = WebhookEvent.objects.get(type="charge.refunded")
    assert row.processed_at is None and "spent" in row.note
    c.refresh_from_db()
    assert c.status == "paid"
    assert any("Refund not recorded" in m.subject and m.to == [host_admin.email] for m in mailoutbox)
    # Once the host adds funds, Stripe's next delivery of the same event posts the reversal.
    from opencity.ledger.services import record_incoming_payment

    record_incoming_payment(
        collective=collective,
        amount=5000,
        idempotency_key="top-up",
        charge_host_fee=False,
        source_account=host_account(collective.host, AccountKind.BANK),
        kind=TransferKind.ADDED_FUNDS,
    )
    body, header = signed(row.payload, "whsec_test_secret")
    r = client.post("/webhooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    assert r.status_code == 200
    c.refresh_from_db()
    assert c.status == "refunded"
    check_ledger()


def test_stripe_outage_at_checkout_marks_failed_and_says_so(client, collective, fake_stripe):
    fake_stripe.fail_next = 10
    r = _checkout(client, collective)
    assert r.status_code == 400 and b"not reachable" in r.content
    assert Contribution.objects.get().status == "failed"


@pytest.mark.django_db(transaction=True)
def test_same_event_twenty_times_concurrently_posts_once(fake_stripe, check_ledger):
    from tests.payments.fake_stripe import event, signed

    host = make_host()
    collective = make_collective(host)
    client = Client()
    _checkout(client, collective)
    c = Contribution.objects.get()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=55)
    body, header = signed(event("checkout.session.completed", session, "evt_concurrent"), "whsec_test_secret")
    assert deliver_concurrently(body, header) == [200] * 20
    c.refresh_from_db()
    assert c.status == "paid"
    assert Journal.objects.count() == 1 and Transfer.objects.count() == 3
    assert WebhookEvent.objects.get().processed_at is not None
    assert funds_account(collective).balance == 2500 - 55 - 200
    check_ledger()


def test_return_to_thanks_page_settles_from_stripe_without_webhook(client, collective, fake_stripe, check_ledger):
    _checkout(client, collective)
    c = Contribution.objects.get()
    assert b"Almost there" in client.get(f"/contributions/{c.public_id}/thanks").content
    fake_stripe.pay_session(c.external_checkout_id, fee=61)
    page = client.get(f"/contributions/{c.public_id}/thanks?session_id={c.external_checkout_id}")
    assert b"Thank you!" in page.content
    c.refresh_from_db()
    assert c.status == "paid" and c.processor_fee == 61
    check_ledger()


def test_double_submit_reuses_the_checkout_session(client, collective, fake_stripe):
    r1 = _checkout(client, collective, idempotency_token="tok-stripe")
    r2 = _checkout(client, collective, idempotency_token="tok-stripe")
    assert r1.url == r2.url and Contribution.objects.count() == 1


def test_expired_session_cancels_the_pending_contribution(client, collective, fake_stripe, deliver):
    _checkout(client, collective)
    c = Contribution.objects.get()
    deliver("checkout.session.expired", fake_stripe.expire(c.external_checkout_id))
    c.refresh_from_db()
    assert c.status == "cancelled" and c.journal is None
    assert [e.to_status for e in c.events.all()] == ["pending", "cancelled"]


def test_unknown_event_types_are_stored_and_ignored(client, fake_stripe, deliver):
    r = deliver("customer.created", {"id": "cus_123", "object": "customer"})
    assert r.status_code == 200
    assert WebhookEvent.objects.get().note == "ignored"
