"""Demo expenses in every state across the collectives, with small generated receipts and test IBANs."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from schwifty import IBAN

from opencity.expenses import approvals, payouts, services
from opencity.expenses.models import ExpenseType, PayeeType
from opencity.ledger import services as ledger


def tiny_pdf(text: str = "Receipt") -> bytes:
    """A minimal, valid one-page PDF (what a scanned receipt would be, in 400 bytes)."""
    stream = f"BT /F1 18 Tf 40 100 Td ({text[:40]}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A valid grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def demo_iban(n: int) -> str:
    """A valid Belgian test IBAN (bank code 539, national check digits computed by schwifty)."""
    return IBAN.generate("BE", bank_code="539", account_code=f"{1000 + n:07d}").compact


def _receipt(n: int, title: str):
    if n % 2:
        return SimpleUploadedFile(f"receipt-{n}.png", tiny_png(), content_type="image/png")
    return SimpleUploadedFile(f"receipt-{n}.pdf", tiny_pdf(title), content_type="application/pdf")


SCENARIOS = [
    # (title, category, type, amount share of the balance in ‰, target state)
    ("Flyers for the open day", "printing", ExpenseType.REIMBURSEMENT, 40, "paid"),
    ("Coffee and biscuits for volunteers", "food", ExpenseType.REIMBURSEMENT, 15, "approved"),
    ("Hall rental, spring meeting", "venue", ExpenseType.INVOICE, 60, "approved"),
    ("Train tickets to the regional meetup", "transport", ExpenseType.REIMBURSEMENT, 10, "scheduled"),
    ("Toolbox and spare parts", "equipment", ExpenseType.REIMBURSEMENT, 30, "pending"),
    ("Sound system hire", "services", ExpenseType.INVOICE, 50, "rejected"),
    ("Posters A2", "printing", ExpenseType.REIMBURSEMENT, 12, "incomplete"),
    ("Bike parts bulk order", "equipment", ExpenseType.INVOICE, 35, "on_hold"),
    ("Tram tickets for the workshop", "transport", ExpenseType.REIMBURSEMENT, 8, "error"),
    ("Banner design (draft)", "services", ExpenseType.REIMBURSEMENT, 20, "draft"),
]
MONEY_STATES = {"paid", "scheduled", "error"}


def seed(ctx: dict) -> None:
    host = ctx["host"]
    host_admin = ctx["host_admin"]
    member = ctx.get("member")
    admins = ctx.get("collective_admins", {})
    collectives = [c for c in ctx["collectives"] if c.is_active and not c.is_host_profile]
    today = timezone.localdate()
    n = 0
    to_schedule = []
    to_error = []
    for ci, collective in enumerate(collectives):
        admin = admins.get(collective.slug) or collective.admins.first()
        submitter = member or admin
        balance = ledger.funds_account(collective).balance
        # Two or three scenarios per collective, rotating, so every state appears across the host.
        picks = [SCENARIOS[(ci * 3 + k) % len(SCENARIOS)] for k in range(3)]
        if ci == 0:
            picks = SCENARIOS[:3]
        for title, category, etype, per_mille, state in picks:
            n += 1
            amount = max(500, balance * per_mille // 1000 // 100 * 100)
            if state in MONEY_STATES | {"approved"} and amount > balance // 3:
                state = "pending"  # not enough money in this collective for a payable demo expense
            day = today - dt.timedelta(days=3 + (n % 20))
            org = etype == ExpenseType.INVOICE
            expense = services.expense_create(
                collective=collective,
                by=submitter,
                type=etype,
                title=title,
                category=category,
                items=[
                    services.ItemInput(description=title, incurred_on=day, amount=amount, receipt=_receipt(n, title))
                ],
                payee=services.PayeeInput(
                    type=PayeeType.ORGANISATION if org else PayeeType.SELF,
                    name="Imprimerie Saint-Gilles SRL" if org else "",
                    iban=demo_iban(n),
                    account_holder="Imprimerie Saint-Gilles SRL" if org else submitter.name or submitter.email,
                    address={
                        "street": "Rue de la Victoire",
                        "number": str(10 + n),
                        "postcode": "1060",
                        "town": "Saint-Gilles",
                        "country": "BE",
                    }
                    if org
                    else {},
                ),
                invoice_number=f"2026-{100 + n}" if org else "",
                supplier_vat="BE0123456749" if org else "",
                draft=state == "draft",
            )
            if state in {"draft", "pending"}:
                continue
            approver = admin if admin.pk != submitter.pk else host_admin
            if state == "incomplete":
                approvals.expense_mark_incomplete(
                    expense=expense, by=host_admin, note="Please add the receipt for the second poster batch."
                )
                continue
            if state == "on_hold":
                approvals.expense_hold(expense=expense, by=host_admin, note="Waiting for the supplier's VAT number.")
                continue
            if state == "rejected":
                approvals.expense_reject(expense=expense, by=approver, note="Not in this year's budget.")
                continue
            approvals.expense_approve(expense=expense, by=approver)
            expense.refresh_from_db()
            if expense.status != "approved":  # a second approval above the host's threshold
                approvals.expense_approve(expense=expense, by=host_admin)
            if state == "paid":
                payouts.expense_mark_paid(
                    expense=expense, by=host_admin, paid_on=day + dt.timedelta(days=2), bank_fee=25, system=True
                )
            elif state == "scheduled":
                to_schedule.append(expense)
            elif state == "error":
                to_schedule.append(expense)
                to_error.append(expense)
    if to_schedule and host.iban:
        batch = payouts.payout_batch_create(host=host, by=host_admin, expenses=to_schedule, system=True)
        payouts.payout_batch_mark_sent(batch=batch, by=host_admin, system=True)
        for expense in to_error:
            payouts.expense_mark_error(
                expense=expense, by=host_admin, note="The bank returned it: account closed.", system=True
            )
    out = ctx.get("stdout")
    if out is not None:
        out.write(
            "  Expenses: the demo host admin has no two-factor authentication yet; turn it on in Settings "
            "before paying expenses or making a SEPA payout file."
        )
