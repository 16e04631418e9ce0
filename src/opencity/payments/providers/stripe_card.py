"""Card payments with Stripe Checkout: one-time (mode payment) and memberships (mode subscription)."""

from __future__ import annotations

import stripe as stripe_lib
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencity.payments import pipeline, stripe_api
from opencity.payments.pipeline import ProcessorRefund
from opencity.payments.providers import PaymentProvider, StartResult, register


class StripeCardProvider(PaymentProvider):
    code = "stripe"
    position = 20
    label = _("Card (Stripe)")
    description = _("Visa, Mastercard, Bancontact and more through Stripe's secure page.")
    supports_recurring = True
    # Stripe's standard European card pricing, used only to estimate "cover the fees"; the real fee is
    # read from the balance transaction when the payment settles.
    fee_basis_points = 150
    fee_fixed = 25

    def is_available(self, host) -> bool:
        return stripe_api.is_configured()

    def start(self, contribution, request) -> StartResult:
        """Create (or find again, same idempotency key) the Checkout Session for our PENDING contribution."""
        s = stripe_api.client()
        thanks = settings.SITE_URL + pipeline.settler("return_url")(contribution)
        cancel = settings.SITE_URL + pipeline.settler("cancel_url")(contribution)
        name = gettext("Contribution to %(name)s") % {"name": contribution.collective.name}
        described = pipeline.purpose_url(contribution.purpose, "describe", contribution)
        if described:  # e.g. "Tickets: Fundraising dinner", from the purpose's owner
            name = f"{described} — {contribution.collective.name}"
        elif contribution.tier_id:
            name = f"{contribution.tier.name} — {contribution.collective.name}"
        price_data = {
            "currency": contribution.currency.lower(),
            "unit_amount": contribution.amount,
            "product_data": {"name": name[:250]},
        }
        metadata = {"contribution": contribution.public_id, "collective": contribution.collective.slug}
        params = {
            "client_reference_id": contribution.public_id,
            "customer_email": contribution.person.email,
            "success_url": thanks + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": cancel,
            "metadata": metadata,
            "locale": (contribution.language or "auto") if contribution.language in ("fr", "nl", "en") else "auto",
        }
        if contribution.interval != "once":
            price_data["recurring"] = {"interval": contribution.interval}
            params.update(mode="subscription", subscription_data={"metadata": metadata})
        else:
            params.update(mode="payment", payment_intent_data={"metadata": metadata})
        params["line_items"] = [{"price_data": price_data, "quantity": 1}]
        try:
            session = s.checkout.Session.create(
                idempotency_key=f"contribution_{contribution.public_id}_checkout", **params
            )
        except stripe_lib.StripeError as exc:
            raise stripe_api.ProcessorUnavailable(
                _("The card processor is not reachable right now; nothing was charged. Please try again.")
            ) from exc
        pipeline.settler("set_checkout")(contribution=contribution, checkout_id=session["id"])
        return StartResult(redirect_url=session["url"])

    def cancel_recurring(self, recurring) -> None:
        if not recurring.processor_subscription_id:
            return
        try:
            stripe_api.client().Subscription.cancel(recurring.processor_subscription_id)
        except stripe_lib.InvalidRequestError as exc:
            if getattr(exc, "code", "") != "resource_missing":
                raise
        except stripe_lib.StripeError as exc:
            raise stripe_api.ProcessorUnavailable(
                _("Stripe is not reachable right now; the membership is not cancelled yet. Please try again.")
            ) from exc

    def refund(self, contribution, *, amount: int, idempotency_key: str):
        """Refund `amount` of the charge; Stripe's refund balance transaction tells what fee, if any, it returned."""
        if not contribution.external_payment_id:
            return super().refund(contribution, amount=amount, idempotency_key=idempotency_key)
        try:
            refund = stripe_api.as_dict(
                stripe_api.client().Refund.create(
                    charge=contribution.external_payment_id,
                    amount=amount,
                    expand=["balance_transaction"],
                    metadata={"refund_intent": idempotency_key, "contribution": contribution.public_id},
                    idempotency_key=idempotency_key,
                )
            )
        except stripe_lib.StripeError as exc:
            raise stripe_api.ProcessorUnavailable(
                _("Stripe is not reachable right now; nothing was refunded. Please try again.")
            ) from exc
        return ProcessorRefund(
            external_id=refund["id"],
            amount=int(refund["amount"]),
            fee_returned=stripe_api.refund_fee_returned(refund),
            status=refund.get("status") or "succeeded",
            intent_key=idempotency_key,
        )


register(StripeCardProvider())
