"""Bank transfer: the contribution stays pending until a bank statement line carries its structured
communication (banking/matching.py). Instructions (IBAN, BIC, beneficiary, amount, communication, EPC QR) are
shown at once and emailed; for a membership, how to set up a standing order with the same communication.

It lives with the bank (its instructions, references and matching are banking's) and joins the payments
registry from `BankingConfig.ready()`: payments never imports banking."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencity.banking import instructions
from opencity.banking.selectors import host_main_bank_account
from opencity.payments.providers import PaymentProvider, StartResult, register


class BankTransferProvider(PaymentProvider):
    code = "bank_transfer"
    label = _("Bank transfer")
    description = _("From your own bank or banking app, with a QR code to scan. No fee.")
    position = 30  # after the cards
    supports_recurring = True
    follows_own_schedule = True

    def is_available(self, host) -> bool:
        return bool(host.iban) or host_main_bank_account(host) is not None

    def expiry_days(self, host) -> int:
        """How long a pending transfer (and the places a ticket order holds for it) waits: the host's setting."""
        return host.bank_transfer_expiry_days

    def start(self, contribution, request) -> StartResult:
        from opencity.payments import pipeline

        info = instructions.transfer_instructions_start(contribution=contribution)
        # A payment for something (a ticket order) goes back to its own page, which shows the same instructions.
        back = pipeline.purpose_url(contribution.purpose, "return_url", contribution)
        return StartResult(
            redirect_url=back or reverse("contributions:thanks", args=[contribution.public_id]), instructions=info
        )

    def instructions(self, contribution) -> dict:
        return instructions.transfer_instructions(contribution)


def register_provider() -> None:
    register(BankTransferProvider())
