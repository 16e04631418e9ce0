"""Demo: the host's bank. Pending bank-transfer contributions, memberships by standing order (one past due),
a statement of the main account with matched and unmatched lines, and a savings account that reconciles."""

from __future__ import annotations

import datetime as dt

from django.test.utils import override_settings
from django.utils import timezone

from opencity.banking import matching, services, standing_orders
from opencity.banking.formats.writer import Entry, camt053
from opencity.banking.models import BankStatementLine, PaymentReference
from opencity.contributions import services as contributions
from opencity.contributions import settlement
from opencity.contributions.services import CheckoutRequest

SAVINGS_IBAN = "BE71096123456769"


def _pending(collective, *, amount: int, email: str, name: str, interval: str = "once", days_ago: int = 0):
    c = contributions.contribution_create(
        collective=collective,
        data=CheckoutRequest(
            amount=amount, payment_method="bank_transfer", email=email, name=name, interval=interval, language="fr"
        ),
    )
    contributions.contribution_start_payment(contribution=c)
    if days_ago:
        type(c).objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return c, PaymentReference.objects.get(contribution=c).communication


def seed(ctx: dict) -> None:
    token = settlement.receipts_enabled.set(False)
    try:
        with override_settings(DEMO_MODE=True):
            _seed(ctx)
    finally:
        settlement.receipts_enabled.reset(token)


def _seed(ctx: dict) -> None:
    host, admin = ctx["host"], ctx["host_admin"]
    today = timezone.localdate()
    main = services.bank_account_main(host=host)
    savings = services.bank_account_create(
        host=host, iban=SAVINGS_IBAN, bic="GEBABEBB", beneficiary=host.legal_name, label="Savings account"
    )
    collectives = [c for c in ctx["collectives"] if c.is_active][:3]
    grace = host.membership_grace_days
    start = today - dt.timedelta(days=31 + grace + 5)
    # Gifts by bank transfer: two will arrive in the statement, two are still pending.
    paid_gift, comm1 = _pending(collectives[0], amount=5000, email="lucie.janssens@example.org", name="Lucie Janssens")
    odd_gift, comm2 = _pending(collectives[1], amount=2000, email="omar.benali@example.org", name="Omar Benali")
    _pending(collectives[0], amount=1500, email="sofie.peeters@example.org", name="Sofie Peeters", days_ago=3)
    _pending(collectives[2], amount=10000, email="karim.elamrani@example.org", name="Karim El Amrani")
    # Memberships by standing order: one pays every month, one stopped after its first month (past due).
    loyal, comm3 = _pending(
        collectives[0], amount=1000, email="an.dewit@example.org", name="An De Wit", interval="month"
    )
    stopped, comm4 = _pending(
        collectives[1], amount=500, email="yassine.haddad@example.org", name="Yassine Haddad", interval="month"
    )
    entries = [
        Entry(1000, start + dt.timedelta(days=1), structured=comm3, name="An De Wit", iban="BE62510007547061"),
        Entry(500, start + dt.timedelta(days=2), structured=comm4, name="Yassine Haddad", iban="BE43068999999501"),
        Entry(5000, today - dt.timedelta(days=9), structured=comm1, name="Lucie Janssens", iban="BE56001234567888"),
        # Typed by hand in free text, and €5 more than promised: matched, recorded as received and flagged.
        Entry(
            2500,
            today - dt.timedelta(days=7),
            text=f"don +++{comm2[:3]}/{comm2[3:7]}/{comm2[7:]}+++ merci",
            name="Omar Benali",
            iban="BE32123456789002",
        ),
        Entry(1000, start + dt.timedelta(days=32), structured=comm3, name="An De Wit", iban="BE62510007547061"),
        Entry(
            25000,
            today - dt.timedelta(days=5),
            text="Sponsoring fete de quartier",
            name="Brasserie du Parc SRL",
            iban="BE68793230773034",
        ),
        Entry(-1250, today - dt.timedelta(days=2), text="Frais de tenue de compte", name="Belfius Banque"),
        Entry(4000, today - dt.timedelta(days=2), text="Cotisation", name="J. Dupont", iban="BE10737042070004"),
    ]
    data = camt053(
        iban=main.iban,
        entries=entries,
        opening=1_250_000,
        start=start,
        end=today - dt.timedelta(days=1),
        stmt_id=f"DEMO-{today:%Y%m}",
    )
    services.statement_import(host=host, data=data, system=True)
    # The host admin already decided about the sponsor's transfer; the fee and the "Cotisation" still wait.
    sponsor = BankStatementLine.objects.get(bank_account=main, amount=25000)
    matching.line_assign_added_funds(
        line=sponsor, collective=collectives[2], by=admin, description="Sponsoring", system=True
    )
    standing_orders.standing_orders_check(today=today)
    # A savings account whose statement is fully explained: reconciled.
    month_start = today.replace(day=1) - dt.timedelta(days=1)
    savings_data = camt053(
        iban=savings.iban,
        entries=[
            Entry(312, month_start, text="Interets crediteurs", name="BNP Paribas Fortis"),
            Entry(-300, month_start, text="Frais de gestion", name="BNP Paribas Fortis"),
        ],
        opening=2_000_000,
        start=month_start.replace(day=1),
        end=month_start,
        stmt_id=f"SAV-{month_start:%Y%m}",
    )
    services.statement_import(host=host, data=savings_data, system=True)
    for line in BankStatementLine.objects.filter(bank_account=savings):
        matching.line_mark_host(line=line, by=admin, note=line.communication, system=True)
    del loyal, stopped, paid_gift, odd_gift
