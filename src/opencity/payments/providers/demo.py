"""A clearly labelled fake card for demos and development: no real money, settles at once."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opencity.payments import pipeline
from opencity.payments.providers import PaymentProvider, StartResult, register


class DemoCardProvider(PaymentProvider):
    code = "demo"
    position = 10
    label = _("Demo card — no real money")
    description = _("Simulates a card payment with a fake fee (1.5 percent plus €0.25). Only on demo installations.")
    supports_recurring = True
    fee_basis_points = 150
    fee_fixed = 25

    def is_available(self, host) -> bool:
        return bool(settings.DEMO_MODE)

    def start(self, contribution, request) -> StartResult:
        """Settle immediately through the same code path as a real processor's confirmation."""
        pipeline.settler("record_paid")(
            contribution=contribution,
            processor=self.code,
            processor_fee=self.estimate_fee(contribution.amount),
            external_payment_id=f"demo_{contribution.public_id}",
        )
        return StartResult(redirect_url=pipeline.settler("return_url")(contribution))

    def charge_renewal(self, recurring, *, effective_date=None):
        """Demo memberships renew themselves when due (called by the memberships_check task)."""
        period = effective_date.isoformat() if effective_date else recurring.next_expected_date.isoformat()
        return pipeline.settler("record_renewal")(
            recurring=recurring,
            amount=recurring.amount,
            processor_fee=self.estimate_fee(recurring.amount),
            external_invoice_id=f"demo_{recurring.public_id}_{period}",
            external_payment_id=f"demo_{recurring.public_id}_{period}",
            effective_date=effective_date,
        )


register(DemoCardProvider())
