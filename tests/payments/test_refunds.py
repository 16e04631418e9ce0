"""Refunds and disputes post what Stripe really moved: Stripe keeps its card fee on a refund (unless its refund
balance transaction returns some), the host gives its fee back in proportion, a dispute costs Stripe's dispute
fee. Numbers below: a €25.00 gift (2500), Stripe fee 61, host fee 8 % = 200; the collective already holds
other money (`top_up`) so it can bear the lost fees."""

from types import SimpleNamespace

import pytest
from django.test import Client

from opencity.contributions import identity, selectors, settlement
from opencity.contributions.models import Contribution, ContributionRefund
from opencity.contributions.refunds import host_fee_share
from opencity.ledger.models import Journal, TransferKind
from opencity.ledger.phrases import describe_transfer
from opencity.ledger.services import funds_account
from opencity.payments.models import WebhookEvent
from tests.conftest import enable_2fa, make_collective, make_host
from tests.contributions.helpers import top_up
from tests.payments.conftest import deliver_concurrently

pytestmark = pytest.mark.django_db

PAID = 1000 + 2500 - 61 - 200  # top-up + gift − Stripe fee − host fee = 3239


def _paid(client, collective, fake_stripe, deliver, top=1000):
    if top:
        top_up(collective, top)
    client.post(
        f"/{collective.slug}/contribute",
        {"amount": "25", "payment_method": "stripe", "email": "card@example.org", "name": "Card Payer"},
    )
    c = Contribution.objects.get()
    session = fake_stripe.pay_session(c.external_checkout_id, fee=61)
    assert deliver("checkout.session.completed", session).status_code == 200
    c.refresh_from_db()
    assert c.status == "paid" and c.processor_fee == 61 and c.host_fee == 200
    return c, fake_stripe.charge_of(session)


def _legs(journal):
    return sorted((t.kind, t.amount, t.debit_account.kind, t.credit_account.kind) for t in journal.transfers.all())


def test_full_refund_keeps_the_card_fee_as_the_collectives_cost(client, collective, fake_stripe, deliver, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    assert funds_account(collective).balance == PAID
    charge = fake_stripe.refund(charge_id)
    for _ in range(20):  # the same event, delivered 20 times: posted once
        assert deliver("charge.refunded", charge, event_id="evt_refund_same").status_code == 200
    assert WebhookEvent.objects.get(event_id="evt_refund_same").deliveries == 20
    deliver("charge.refunded", charge)  # another event about the same refund: nothing more
    c.refresh_from_db()
    assert c.status == "refunded"
    refund = Journal.objects.get(reverses=c.journal)
    assert Journal.objects.filter(kind=TransferKind.REFUND).count() == 1
    # Out: 2500 to Stripe; in: the host's 200 back; Stripe's 61 is not returned.
    assert _legs(refund) == [
        ("host_fee", 200, "host_fees", "funds"),
        ("refund", 2500, "funds", "clearing"),
    ]
    original = {t.kind: t for t in c.journal.transfers.all()}
    assert {t.kind: t.reversal_of_id for t in refund.transfers.all()} == {
        "refund": original["contribution"].pk,
        "host_fee": original["host_fee"].pk,
    }
    # Before the gift the collective held 1000; after gift and refund it holds 1000 − 61.
    assert funds_account(collective).balance == 1000 - 61 == PAID - 2500 + 200
    check_ledger()

    # The public statement shows the refund with its host fee return grouped under it.
    page = client.get(f"/{collective.slug}/transactions").content.decode()
    body = page[page.index(f'id="{refund.public_id}"') :]
    body = body[: body.index("</tbody>")]
    assert body.count('class="fee"') == 1 and "Host fee" in body and "Refund" in body
    assert 'class="net"' in body and "-€23.00" in body  # −25.00 refunded + 2.00 host fee back


def test_admin_refund_with_a_fee_refund_from_stripe(client, collective, fake_stripe, deliver, host_admin, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    fake_stripe.next_refund_fee_refunded = 30  # Stripe's refund balance transaction: fee −30
    settlement.contribution_refund(contribution=c, by=enable_2fa(host_admin), reason="asked by the contributor")
    call = [x for x in fake_stripe.requests if x[0] == "POST" and x[1] == "/v1/refunds"][0]
    assert call[3]["Idempotency-Key"] == f"contribution_{c.public_id}_refund" and call[2]["amount"] == "2500"
    deliver("charge.refunded", fake_stripe.objects[charge_id])  # Stripe's event after our refund: a no-op
    c.refresh_from_db()
    assert c.status == "refunded" and ContributionRefund.objects.get().external_id.startswith("re_")
    refund = Journal.objects.get(reverses=c.journal)
    assert _legs(refund) == [
        ("host_fee", 200, "host_fees", "funds"),
        ("processor_fee", 30, "clearing", "funds"),
        ("refund", 2500, "funds", "clearing"),
    ]
    assert funds_account(collective).balance == 1000 - 61 + 30
    check_ledger()


def test_whole_fee_refund_mirrors_the_fee_leg(client, collective, fake_stripe, deliver, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    deliver("charge.refunded", fake_stripe.refund(charge_id, fee_refunded=61))
    refund = Journal.objects.get(reverses=c.journal)
    fee = refund.transfers.get(kind=TransferKind.PROCESSOR_FEE)
    assert fee.amount == 61 and fee.reversal_of == c.journal.transfers.get(kind=TransferKind.PROCESSOR_FEE)
    assert funds_account(collective).balance == 1000
    check_ledger()


def test_two_partial_refunds_then_the_rest(client, collective, fake_stripe, deliver, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    # A guest's gift joins the payer's annual statement once the email's owner confirms it ("this was me").
    identity.contribution_confirm_identity(contribution=c, token=identity.identity_confirm_token(c))
    steps = [
        # (refunded now, host fee returned, status, funds after)
        (1000, 80, "partially_refunded", PAID - 1000 + 80),  # 200 × 1000/2500 = 80
        (333, 27, "partially_refunded", PAID - 1333 + 107),  # 200 × 333/2500 = 26.64 → 27
        (None, 93, "refunded", 1000 - 61),  # the rest (1167) returns exactly what is left: 200 − 107
    ]
    for amount, host_back, status, funds in steps:
        charge = fake_stripe.refund(charge_id, amount=amount)
        for _ in range(3):
            assert deliver("charge.refunded", charge).status_code == 200
        c.refresh_from_db()
        last = ContributionRefund.objects.order_by("-id").first()
        assert (last.host_fee_returned, last.processor_fee_returned, c.status) == (host_back, 0, status)
        assert funds_account(collective).balance == funds
        if status == "partially_refunded":  # the wall and the annual statement count what was kept
            wall = selectors.collective_contributors(collective)
            assert [r.total for r in wall] == [c.kept_amount] == [2500 - c.amount_refunded]
            assert selectors.statement_contributions(person=c.person, host=collective.host, year=c.paid_at.year)
    assert selectors.collective_contributors(collective) == []
    rows = list(ContributionRefund.objects.order_by("id"))
    assert [r.amount for r in rows] == [1000, 333, 1167]
    assert sum(r.host_fee_returned for r in rows) == c.host_fee == 200
    assert sum(t.amount for r in rows for t in r.journal.transfers.filter(kind="host_fee")) == 200
    assert not Journal.objects.filter(reverses=c.journal).exists()  # partial journals stand on their own
    assert list(c.events.values_list("to_status", flat=True))[-3:] == [
        "partially_refunded",
        "partially_refunded",
        "refunded",
    ]
    check_ledger()


def test_host_fee_share_rounds_half_even_and_never_exceeds_the_fee():
    c = SimpleNamespace(amount=100, host_fee=5)
    assert host_fee_share(c, 10, done_amount=0, done_host=0) == 0  # 0.5 → 0
    assert host_fee_share(c, 30, done_amount=0, done_host=0) == 2  # 1.5 → 2
    assert host_fee_share(c, 99, done_amount=0, done_host=4) == 1  # 4.95 → 5, capped at what is left
    assert host_fee_share(c, 60, done_amount=40, done_host=2) == 3  # completes: exactly the rest


@pytest.mark.django_db(transaction=True)
def test_same_refund_event_twenty_times_concurrently_posts_once(fake_stripe, check_ledger):
    from tests.payments.fake_stripe import event, signed

    collective = make_collective(make_host())
    client = Client()

    def deliver(type_, obj, event_id=None):
        body, header = signed(event(type_, obj, event_id), "whsec_test_secret")
        return client.post("/webhooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    c, charge_id = _paid(client, collective, fake_stripe, deliver)
    body, header = signed(
        event("charge.refunded", fake_stripe.refund(charge_id), "evt_refund_conc"), "whsec_test_secret"
    )
    assert deliver_concurrently(body, header) == [200] * 20
    assert ContributionRefund.objects.count() == 1 and Journal.objects.filter(kind="refund").count() == 1
    assert funds_account(collective).balance == 1000 - 61
    check_ledger()


def test_dispute_lost_costs_the_amount_and_the_dispute_fee(client, collective, fake_stripe, deliver, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver, top=2000)
    before = 2000 + 2500 - 61 - 200  # 4239
    dispute = fake_stripe.dispute(charge_id, fee=1500)  # Stripe withdraws 2500 and charges €15
    for type_ in ("charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.created"):
        assert deliver(type_, dispute).status_code == 200
    c.refresh_from_db()
    assert c.status == "disputed"
    out = Journal.objects.get(idempotency_key=f"contribution_{c.public_id}_dispute_{dispute['id']}_withdrawn")
    # The host gives its fee back as for a refund (issue 9 item 8: same figures whatever the shape).
    assert _legs(out) == [
        ("host_fee", 200, "host_fees", "funds"),
        ("processor_fee", 1500, "funds", "clearing"),
        ("refund", 2500, "funds", "clearing"),
    ]
    # Stored as facts, written in the reader's language when shown (ledger/phrases.py).
    assert out.facts["what"] == "dispute"
    assert describe_transfer(out.transfers.select_related("journal").get(kind="refund")) == "Dispute"
    assert funds_account(collective).balance == before - 2500 + 200 - 1500 == 439
    lost = fake_stripe.dispute(charge_id, status="lost", dispute_id=dispute["id"])
    for _ in range(2):
        deliver("charge.dispute.closed", lost)
    c.refresh_from_db()
    assert c.status == "disputed" and funds_account(collective).balance == 439
    assert Journal.objects.filter(source_id=c.public_id).count() == 2  # the payment and the dispute
    check_ledger()


@pytest.mark.parametrize("fee_returned", [0, 1500])
def test_dispute_won_brings_the_money_back(client, collective, fake_stripe, deliver, check_ledger, fee_returned):
    c, charge_id = _paid(client, collective, fake_stripe, deliver, top=2000)
    dispute = fake_stripe.dispute(charge_id, fee=1500)
    deliver("charge.dispute.created", dispute)
    assert funds_account(collective).balance == 439
    won = fake_stripe.dispute(charge_id, status="won", dispute_id=dispute["id"], fee_returned=fee_returned)
    for type_ in ("charge.dispute.funds_reinstated", "charge.dispute.closed", "charge.dispute.funds_reinstated"):
        assert deliver(type_, won).status_code == 200
    c.refresh_from_db()
    assert c.status == "paid"
    out = Journal.objects.get(idempotency_key=f"contribution_{c.public_id}_dispute_{dispute['id']}_withdrawn")
    back = Journal.objects.get(reverses=out)
    expected = [("contribution", 2500, "clearing", "funds"), ("host_fee", 200, "funds", "host_fees")]
    if fee_returned:
        expected.insert(0, ("processor_fee", 1500, "clearing", "funds"))
    assert sorted(_legs(back)) == sorted(expected)
    # Won: the 2500 is back; the €15 dispute fee stays a cost unless Stripe returned it.
    assert funds_account(collective).balance == 439 + 2500 - 200 + fee_returned
    check_ledger()


def test_dispute_not_covered_is_left_for_a_retry(client, collective, fake_stripe, deliver, check_ledger):
    c, charge_id = _paid(client, collective, fake_stripe, deliver, top=0)
    dispute = fake_stripe.dispute(charge_id, fee=1500)
    r = deliver("charge.dispute.created", dispute, event_id="evt_dp_blocked")
    assert r.status_code == 503
    c.refresh_from_db()
    assert c.status == "paid" and funds_account(collective).balance == 2500 - 261
    top_up(collective, 2000)
    assert deliver("charge.dispute.created", dispute, event_id="evt_dp_blocked").status_code == 200
    c.refresh_from_db()
    assert c.status == "disputed" and funds_account(collective).balance == 2239 + 2000 - 4000 + 200
    check_ledger()
