"""The real `stripe` library, configured from settings on every use (tests point STRIPE_API_BASE at a fake)."""

from __future__ import annotations

import stripe
from django.conf import settings

from opencity.core.errors import DomainError


class ProcessorUnavailable(DomainError):
    code = "processor_unavailable"
    status = 502


def client() -> stripe:
    """The configured module. The key is passed per call too, so no global key leaks between setups."""
    stripe.api_key = settings.STRIPE_SECRET_KEY
    stripe.api_base = settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE
    stripe.max_network_retries = 2
    return stripe


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def as_dict(obj) -> dict:
    """Stripe objects as plain dicts (the library's objects are not dicts), so `.get` works everywhere."""
    return obj.to_dict(for_json=True) if hasattr(obj, "to_dict") else dict(obj)


def retrieve_session(session_id: str) -> dict:
    return as_dict(client().checkout.Session.retrieve(session_id))


def retrieve_payment_intent(pi_id: str) -> dict:
    return as_dict(client().PaymentIntent.retrieve(pi_id, expand=["latest_charge.balance_transaction"]))


def retrieve_charge(charge_id: str) -> dict:
    return as_dict(client().Charge.retrieve(charge_id, expand=["balance_transaction"]))


def retrieve_invoice(invoice_id: str) -> dict:
    return as_dict(client().Invoice.retrieve(invoice_id, expand=["payments"]))


def retrieve_subscription(sub_id: str) -> dict:
    return as_dict(client().Subscription.retrieve(sub_id))


def retrieve_dispute(dispute_id: str) -> dict:
    return as_dict(client().Dispute.retrieve(dispute_id))


def retrieve_refund(refund_id: str) -> dict:
    return as_dict(client().Refund.retrieve(refund_id, expand=["balance_transaction"]))


def invoice_of_payment_intent(pi_id: str) -> str:
    """The invoice a payment intent paid (subscriptions), through the invoice payments; "" when none."""
    page = as_dict(client().InvoicePayment.list(payment={"type": "payment_intent", "payment_intent": pi_id}, limit=1))
    for p in page.get("data") or []:
        inv = p.get("invoice")
        return inv if isinstance(inv, str) else (inv or {}).get("id", "")
    return ""


def subscription_period_end(subscription: dict) -> int | None:
    """When the current period ends (Unix time): on the subscription's item (new API versions) or on the
    subscription itself (older ones). The processor's own date for the next payment."""
    for item in (subscription.get("items") or {}).get("data") or []:
        if item.get("current_period_end"):
            return int(item["current_period_end"])
    end = subscription.get("current_period_end")
    return int(end) if end else None


def charge_refunds(charge_id: str) -> list[dict]:
    """Every refund of a charge, oldest first, with its balance transaction expanded."""
    page = as_dict(client().Refund.list(charge=charge_id, limit=100, expand=["data.balance_transaction"]))
    return sorted(page.get("data") or [], key=lambda r: (r.get("created") or 0, r["id"]))


def _balance_transaction(bt) -> dict | None:
    if bt is None:
        return None
    return as_dict(client().BalanceTransaction.retrieve(bt)) if isinstance(bt, str) else bt


def fee_returned(bt) -> int:
    """The processor fee given back by a balance transaction (refund, dispute reinstatement): its negative
    fee (or negative fee_details), as a positive amount. A refund usually returns none: Stripe keeps it."""
    if bt is None:
        return 0
    if bt.get("fee") is not None:
        return max(0, -int(bt["fee"]))
    return max(0, -sum(int(d.get("amount") or 0) for d in bt.get("fee_details") or []))


def refund_fee_returned(refund: dict) -> int:
    return fee_returned(_balance_transaction(refund.get("balance_transaction")))


def dispute_movements(dispute: dict) -> dict:
    """What a dispute moved, from its balance transactions: withdrawn (amount, fee), reinstated (amount, fee back)."""
    out = {"withdrawn": 0, "withdrawal_fee": 0, "reinstated": 0, "fee_returned": 0}
    for bt in dispute.get("balance_transactions") or []:
        bt = _balance_transaction(bt)
        amount, fee = int(bt.get("amount") or 0), int(bt.get("fee") or 0)
        if amount < 0:
            out["withdrawn"] += -amount
            out["withdrawal_fee"] += max(0, fee)
        elif amount > 0:
            out["reinstated"] += amount
            out["fee_returned"] += max(0, -fee)
    return out


def charge_fee(charge) -> int:
    """The real processor fee of a charge, from its balance transaction (expanded or fetched)."""
    bt = charge.get("balance_transaction")
    if bt is None:
        return 0
    if isinstance(bt, str):
        bt = as_dict(client().BalanceTransaction.retrieve(bt))
    return int(bt["fee"])


def invoice_subscription_id(invoice) -> str:
    """Where the subscription id lives depends on the API version: `parent.subscription_details` (new) or top level."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") if parent else None
    sub = (details or {}).get("subscription") if details else None
    sub = sub or invoice.get("subscription")
    if sub is not None and not isinstance(sub, str):
        sub = sub["id"]
    return sub or ""


def invoice_charge(invoice):
    """The charge that paid an invoice: via its payments (new API versions) or its payment intent/charge (old)."""
    pi_id = None
    payments = invoice.get("payments")
    if payments:
        for p in payments["data"]:
            if p.get("status") in ("paid", None):
                pay = p["payment"]
                if pay.get("charge"):
                    ch = pay["charge"]
                    return retrieve_charge(ch if isinstance(ch, str) else ch["id"])
                pi = pay.get("payment_intent")
                pi_id = pi if isinstance(pi, str) else (pi or {}).get("id")
                break
    if pi_id is None and invoice.get("payment_intent"):
        pi = invoice["payment_intent"]
        pi_id = pi if isinstance(pi, str) else pi["id"]
    if pi_id is None and invoice.get("charge"):
        ch = invoice["charge"]
        return retrieve_charge(ch if isinstance(ch, str) else ch["id"])
    if pi_id is None:
        return None
    pi = retrieve_payment_intent(pi_id)
    charge = pi.get("latest_charge")
    if isinstance(charge, str):
        charge = retrieve_charge(charge)
    return charge
