"""Settling contributions from Stripe's own objects (the webhook event is only a hint).

`payments.stripe_webhooks` verifies and stores each event once, then calls the handler registered here for
its type (`register()`, from the app's `ready()`), so `payments` never imports `contributions`. Settling
locks our contribution and uses ledger keys derived from our ids, so the same event twenty times (also
concurrently) and events out of order post money once and end in the same state.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opencity.contributions import recurring as recurring_services
from opencity.contributions import settlement
from opencity.contributions.disputes import ProcessorDispute, dispute_record
from opencity.contributions.models import Contribution, RecurringContribution
from opencity.contributions.refunds import FAILED_REFUND, refund_record
from opencity.payments import pipeline, stripe_api

# --- finding our records -------------------------------------------------------------------------------


def _contribution_by_metadata(obj) -> Contribution | None:
    meta = obj.get("metadata") or {}
    ref = meta.get("contribution") or obj.get("client_reference_id")
    return Contribution.objects.filter(public_id=ref).first() if ref else None


def _contribution_by_charge(charge_id: str, payment_intent_id: str = "") -> Contribution | None:
    c = Contribution.objects.filter(external_payment_id=charge_id).first()
    if c is None and payment_intent_id:
        pi = stripe_api.as_dict(stripe_api.client().PaymentIntent.retrieve(payment_intent_id))
        c = _contribution_by_metadata(pi)
    return c


def _charge_of_session(session):
    pi = session.get("payment_intent")
    if not pi:
        return None
    pi = stripe_api.retrieve_payment_intent(pi if isinstance(pi, str) else pi["id"])
    charge = pi.get("latest_charge")
    return stripe_api.retrieve_charge(charge) if isinstance(charge, str) else charge


# --- handlers ----------------------------------------------------------------------------------------


def sync_checkout_session(session_id: str) -> str:
    session = stripe_api.retrieve_session(session_id)
    contribution = _contribution_by_metadata(session)
    if contribution is None:
        return "unknown contribution"
    if session.get("mode") == "subscription":
        invoice_id = session.get("invoice")
        if invoice_id:
            return settle_invoice(invoice_id if isinstance(invoice_id, str) else invoice_id["id"])
        return "subscription without invoice yet"
    if session.get("payment_status") != "paid":
        return f"session {session.get('payment_status')}"
    charge = _charge_of_session(session)
    if charge is None or charge.get("status") != "succeeded":
        return "no succeeded charge"
    settlement.contribution_record_paid(
        contribution=contribution,
        processor="stripe",
        processor_fee=stripe_api.charge_fee(charge),
        external_payment_id=charge["id"],
    )
    return "paid"


def on_checkout_completed(obj) -> str:
    return sync_checkout_session(obj["id"])


def on_checkout_expired(obj) -> str:
    session = stripe_api.retrieve_session(obj["id"])
    contribution = _contribution_by_metadata(session)
    if contribution is None:
        return "unknown contribution"
    if session.get("status") == "expired":
        settlement.contribution_mark_cancelled(contribution=contribution, note=f"session {session['id']} expired")
    return "cancelled"


def settle_invoice(invoice_id: str) -> str:
    """A paid invoice of a subscription: the first one settles the checkout's contribution, later ones
    create one Contribution per period. Found through the subscription's metadata, so it works even when
    it arrives before checkout.session.completed."""
    invoice = stripe_api.retrieve_invoice(invoice_id)
    if invoice.get("status") != "paid":
        return f"invoice {invoice.get('status')}"
    sub_id = stripe_api.invoice_subscription_id(invoice)
    if not sub_id:
        return "not a subscription invoice"
    charge = stripe_api.invoice_charge(invoice)
    fee = stripe_api.charge_fee(charge) if charge is not None else 0
    charge_id = charge["id"] if charge is not None else None
    if int(invoice.get("amount_paid") or 0) <= 0:
        return "nothing paid (trial or full discount)"
    subscription = stripe_api.retrieve_subscription(sub_id)
    # The next payment is due when Stripe's current period ends (never "this payment + 1 month": a member
    # who joined on 31 January is billed on 31 March, not 28 March).
    period_end = stripe_api.subscription_period_end(subscription)
    next_date = timezone.localdate(dt.datetime.fromtimestamp(period_end, tz=dt.UTC)) if period_end is not None else None
    rec = RecurringContribution.objects.filter(processor_subscription_id=sub_id).first()
    if rec is None:
        first = _contribution_by_metadata(subscription)
        if first is None:
            return "unknown subscription"
        if first.journal_id is None or first.external_invoice_id in (None, invoice_id):
            settlement.contribution_record_paid(
                contribution=first,
                processor="stripe",
                processor_fee=fee,
                external_payment_id=charge_id,
                external_invoice_id=invoice_id,
                subscription_id=sub_id,
                next_expected_date=next_date,
            )
            return "first payment"
        rec = first.recurring
    if rec is None:
        return "no membership"
    settlement.contribution_record_renewal(
        recurring=rec,
        amount=int(invoice["amount_paid"]),
        processor_fee=fee,
        external_invoice_id=invoice_id,
        external_payment_id=charge_id,
        next_expected_date=next_date,
    )
    return "renewal"


def on_invoice_paid(obj) -> str:
    return settle_invoice(obj["id"])


def on_invoice_payment_failed(obj) -> str:
    invoice = stripe_api.retrieve_invoice(obj["id"])
    sub_id = stripe_api.invoice_subscription_id(invoice)
    rec = RecurringContribution.objects.filter(processor_subscription_id=sub_id).first() if sub_id else None
    if rec is None:
        return "unknown subscription"
    recurring_services.recurring_mark_past_due(recurring=rec, note=f"invoice {obj['id']} failed")
    return "past due"


def _refund_contribution(charge_id: str, payment_intent_id: str) -> Contribution:
    """Our contribution behind a refunded charge. A membership's charge may be refunded before its
    invoice.paid reached us: then the invoice is found through the payment intent and settled first (the
    refund is posted right after). Not ours yet at all: RetryLater (Stripe delivers the event again)."""
    contribution = _contribution_by_charge(charge_id, payment_intent_id)
    if contribution is None and payment_intent_id:
        invoice_id = stripe_api.invoice_of_payment_intent(payment_intent_id)
        if invoice_id:
            settle_invoice(invoice_id)
            contribution = Contribution.objects.filter(external_payment_id=charge_id).first()
    if contribution is None:
        raise pipeline.RetryLater(f"charge {charge_id} not recorded yet")
    return contribution


def _apply_refund(contribution: Contribution, refund: dict) -> None:
    """One Stripe refund: pending and succeeded ones have left Stripe's balance (posted once); failed and
    canceled ones never did or came back (reversed, if posted)."""
    meta = refund.get("metadata") or {}
    refund_record(
        contribution=contribution,
        refund=pipeline.ProcessorRefund(
            external_id=refund["id"],
            amount=int(refund["amount"]),
            fee_returned=stripe_api.refund_fee_returned(refund) if refund.get("status") not in FAILED_REFUND else 0,
            status=refund.get("status") or "",
            intent_key=meta.get("refund_intent") or "",
        ),
    )


def _id_of(value) -> str:
    return value if isinstance(value, str) else (value or {}).get("id", "")


def on_charge_refunded(obj) -> str:
    """Post every refund of the charge not posted yet (full or partial, each once by its refund id)."""
    charge = stripe_api.retrieve_charge(obj["id"])
    contribution = _refund_contribution(charge["id"], _id_of(charge.get("payment_intent")))
    refunds = stripe_api.charge_refunds(charge["id"])
    for refund in refunds:
        _apply_refund(contribution, refund)
    return f"{len(refunds)} refund(s)"


def on_refund(obj) -> str:
    """refund.created / refund.updated / refund.failed / charge.refund.updated: read the refund from Stripe
    (the event is a hint) and post it, or reverse it when it failed (the money came back to our balance)."""
    refund = stripe_api.retrieve_refund(obj["id"])
    charge_id = _id_of(refund.get("charge"))
    if not charge_id:
        return "refund without a charge"
    contribution = _refund_contribution(charge_id, _id_of(refund.get("payment_intent")))
    _apply_refund(contribution, refund)
    return f"refund {refund.get('status')}"


def on_checkout_async_failed(obj) -> str:
    """A delayed payment method (SEPA debit, …) failed after the checkout completed: the contribution fails."""
    session = stripe_api.retrieve_session(obj["id"])
    contribution = _contribution_by_metadata(session)
    if contribution is None:
        return "unknown contribution"
    if session.get("payment_status") == "paid":
        return "paid after all"
    settlement.contribution_mark_failed(contribution=contribution, note=f"session {session['id']} payment failed")
    return "failed"


def _dispute_contribution(dispute):
    ch = dispute.get("charge")
    charge_id = ch if isinstance(ch, str) else ch["id"]
    pi = dispute.get("payment_intent")
    return _contribution_by_charge(charge_id, pi if isinstance(pi, str) else (pi or {}).get("id", ""))


def on_dispute(obj) -> str:
    """Any dispute event: read the dispute (with its balance transactions) and bring our books in line."""
    dispute = stripe_api.retrieve_dispute(obj["id"])
    contribution = _dispute_contribution(dispute)
    if contribution is None:
        return "unknown charge"
    moved = stripe_api.dispute_movements(dispute)
    dispute_record(
        contribution=contribution,
        dispute=ProcessorDispute(
            external_id=dispute["id"], status=dispute.get("status") or "", amount=int(dispute["amount"]), **moved
        ),
    )
    return f"dispute {dispute.get('status')}"


def on_subscription_deleted(obj) -> str:
    subscription = stripe_api.retrieve_subscription(obj["id"])
    rec = RecurringContribution.objects.filter(processor_subscription_id=subscription["id"]).first()
    if rec is None:
        first = _contribution_by_metadata(subscription)
        rec = first.recurring if first is not None else None
    if rec is None:
        return "unknown subscription"
    if subscription.get("status") not in ("canceled", "incomplete_expired"):
        return f"subscription {subscription.get('status')}"
    recurring_services.recurring_cancel(recurring=rec, reason="cancelled at Stripe", at_processor=False)
    return "cancelled"


HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.async_payment_succeeded": on_checkout_completed,
    "checkout.session.expired": on_checkout_expired,
    "checkout.session.async_payment_failed": on_checkout_async_failed,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "charge.refunded": on_charge_refunded,
    "charge.refund.updated": on_refund,
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "refund.failed": on_refund,
    "charge.dispute.created": on_dispute,
    "charge.dispute.closed": on_dispute,
    "charge.dispute.funds_withdrawn": on_dispute,
    "charge.dispute.funds_reinstated": on_dispute,
    "charge.dispute.updated": on_dispute,
    "customer.subscription.deleted": on_subscription_deleted,
}


def notify_host_admins(obj, event_type: str) -> None:
    """Tell the host admins that a refund or lost dispute could not be posted (first time only)."""
    from opencity.contributions.tasks import send_refund_blocked

    charge = obj.get("charge") if obj.get("object") == "dispute" else obj.get("id")
    contribution = Contribution.objects.filter(external_payment_id=charge).first() if charge else None
    if contribution is not None:
        pk = contribution.pk
        transaction.on_commit(lambda: send_refund_blocked.enqueue(contribution_id=pk, event_type=event_type))


def register() -> None:
    pipeline.register_webhook_handlers("stripe", HANDLERS, on_blocked=notify_host_admins)
