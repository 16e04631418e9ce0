"""What a contributor needs to pay by bank transfer, on the page, in the API and by email."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import segno
from django.db import transaction
from segno import helpers as segno_helpers

from opencity.banking import communication
from opencity.banking.selectors import host_main_bank_account


def epc_qr(*, name: str, iban: str, bic: str, amount: int, reference: str) -> segno.QRCode:
    """The EPC ("GiroCode") QR code a banking app scans: the structured communication as the reference."""
    return segno_helpers.make_epc_qr(
        name=name[:70], iban=iban, amount=Decimal(amount) / 100, reference=reference, bic=bic or None
    )


def qr_png(qr: segno.QRCode) -> bytes:
    out = io.BytesIO()
    qr.save(out, kind="png", scale=5, border=4)
    return out.getvalue()


def transfer_instructions(contribution) -> dict:
    """{"iban", "bic", "beneficiary", "amount", "currency", "communication", "qr_data_uri", "standing_order",
    "interval"}; empty when the host has no bank account (or the contribution has no communication yet)."""
    from opencity.banking.models import PaymentReference

    account = host_main_bank_account(contribution.collective.host)
    ref = PaymentReference.objects.filter(contribution=contribution).first()
    if account is None or ref is None:
        return {}
    qr = epc_qr(
        name=account.beneficiary,
        iban=account.iban,
        bic=account.bic,
        amount=contribution.amount,
        reference=ref.communication,
    )
    return {
        "iban": account.iban,
        "iban_display": " ".join(account.iban[i : i + 4] for i in range(0, len(account.iban), 4)),
        "bic": account.bic,
        "beneficiary": account.beneficiary,
        "amount": contribution.amount,
        "currency": contribution.currency,
        "communication": communication.display(ref.communication),
        "qr_data_uri": "data:image/png;base64," + base64.b64encode(qr_png(qr)).decode("ascii"),
        "standing_order": contribution.interval != "once",
        "interval": contribution.interval,
    }


def transfer_instructions_start(*, contribution) -> dict:
    """Give the contribution its communication (once) and email the instructions after commit (once)."""
    from opencity.banking.services import bank_account_main, payment_reference_for

    bank_account_main(host=contribution.collective.host)
    _ref, created = payment_reference_for(contribution=contribution)
    if created:
        from opencity.banking.tasks import send_bank_email

        pk = contribution.pk
        transaction.on_commit(lambda: send_bank_email.enqueue(kind="instructions", contribution_id=pk))
    return transfer_instructions(contribution)
