"""Importing statements and matching their lines: contributions, memberships, payouts, processor payouts."""

import datetime as dt

import pytest

from opencity.banking import reconciliation, services
from opencity.banking.formats import StatementFileError
from opencity.banking.models import BankStatement, BankStatementLine, LineState, MatchKind
from opencity.contributions.models import Contribution, RecurringContribution
from opencity.ledger.models import Account, AccountKind, Journal, Transfer
from tests.banking.conftest import IBAN, pending_transfer
from tests.banking.files import Line, camt053, coda
from tests.conftest import make_collective

TODAY = dt.date.today()


def _state():
    return (
        BankStatement.objects.count(),
        BankStatementLine.objects.count(),
        Journal.objects.count(),
        Transfer.objects.count(),
        sorted((a.pk, a.totals) for a in Account.objects.with_stripes()),
    )


@pytest.mark.parametrize("fmt", ["camt", "coda"])
def test_crafted_file_matches_every_pending_contribution(fmt, host, collective, bank_account, check_ledger):
    other = make_collective(host)
    pending = [pending_transfer(collective, amount=2500), pending_transfer(other, amount=1000, email="b@example.org")]
    lines = [Line(c.amount, c.communication, date=TODAY) for c in pending]
    data = (camt053 if fmt == "camt" else coda)(
        iban=IBAN, lines=lines, **({"start": TODAY, "end": TODAY} if fmt == "camt" else {"date": TODAY})
    )
    result = services.statement_import(host=host, data=data, system=True)
    assert (len(result.new_lines), result.matched) == (2, 2)
    for c in pending:
        c.refresh_from_db()
        assert c.status == Contribution.Status.PAID
        assert c.host_fee == c.amount * 8 // 100
        assert c.paid_at.date() == TODAY
    assert set(BankStatementLine.objects.values_list("state", flat=True)) == {LineState.MATCHED}
    check_ledger()
    rec = reconciliation.account_reconciliation(bank_account)
    assert rec.reconciled, (rec.difference, rec.not_in_ledger, rec.in_flight)
    # The collective got the money, less the host fee, through the bank-transfer clearing account.
    clearing = Account.objects.get(host=host, kind=AccountKind.CLEARING, processor="bank_transfer")
    assert clearing.totals == (3500, 3500)
    # Importing the same file again changes nothing.
    before = _state()
    again = services.statement_import(host=host, data=data, system=True)
    assert (again.new_statements, len(again.new_lines), again.known_lines) == (0, 0, 2)
    assert _state() == before


@pytest.mark.parametrize(
    "text",
    [
        "+++{a}/{b}/{c}+++",
        "Gift {a}/{b}/{c} thanks",
        "REF {a}{b}{c}",
        "***{a}/{b}/{c}***",
        "+++ {a} / {b} / {c} +++ via app",
    ],
)
def test_communication_found_in_free_text(text, host, collective, bank_account):
    c = pending_transfer(collective)
    d = c.communication
    free = text.format(a=d[:3], b=d[3:7], c=d[7:])
    services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[Line(c.amount, free, structured=False)]), system=True
    )
    c.refresh_from_db()
    assert c.status == Contribution.Status.PAID


def test_different_amount_recorded_as_received_and_flagged(host, collective, bank_account, check_ledger):
    c = pending_transfer(collective, amount=2500)
    services.statement_import(host=host, data=coda(iban=IBAN, lines=[Line(2000, c.communication)]), system=True)
    c.refresh_from_db()
    line = BankStatementLine.objects.get()
    assert (c.status, c.amount, line.flag) == (Contribution.Status.PAID, 2000, "amount_differs")
    check_ledger()


def test_statement_for_another_iban_is_refused(host, bank_account):
    with pytest.raises(StatementFileError) as err:
        services.statement_import(
            host=host, data=camt053(iban="BE71096123456769", lines=[Line(100, "x", structured=False)]), system=True
        )
    assert err.value.code == "unknown_bank_account"
    assert BankStatementLine.objects.count() == 0


def test_overlapping_files_store_each_line_once(host, collective, bank_account):
    a, b, c = (Line(1000 + i, f"gift {i}", structured=False, ref=f"R{i}") for i in range(3))
    services.statement_import(host=host, data=camt053(iban=IBAN, lines=[a, b], stmt_id="S1"), system=True)
    result = services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[b, c], stmt_id="S2", opening=2001), system=True
    )
    assert (len(result.new_lines), result.known_lines) == (1, 1)
    assert BankStatementLine.objects.count() == 3


def test_unmatched_credit_waits_in_the_queue(host, bank_account):
    services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[Line(5000, "sponsor", structured=False)]), system=True
    )
    line = BankStatementLine.objects.get()
    assert line.state == LineState.UNMATCHED and line.journal_id is None
    rec = reconciliation.account_reconciliation(bank_account)
    assert not rec.reconciled and rec.difference == 5000 and rec.not_in_ledger == [line]


def test_late_payment_revives_an_expired_contribution(host, collective, bank_account):
    from opencity.banking.standing_orders import pending_transfers_expire

    c = pending_transfer(collective)
    assert pending_transfers_expire(today=TODAY + dt.timedelta(days=host.bank_transfer_expiry_days + 1)) == 1
    c.refresh_from_db()
    assert c.status == Contribution.Status.CANCELLED
    services.statement_import(host=host, data=camt053(iban=IBAN, lines=[Line(c.amount, c.communication)]), system=True)
    c.refresh_from_db()
    assert c.status == Contribution.Status.PAID


def test_standing_order_credits_record_each_month(host, collective, bank_account, check_ledger):
    c = pending_transfer(collective, amount=1000, interval="month")
    d1, d2 = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)
    services.statement_import(
        host=host,
        data=coda(iban=IBAN, lines=[Line(1000, c.communication, date=d1), Line(1000, c.communication, date=d2)]),
        system=True,
    )
    c.refresh_from_db()
    rec = c.recurring
    assert rec is not None and rec.payment_method == "bank_transfer"
    assert rec.contributions.filter(status=Contribution.Status.PAID).count() == 2
    kinds = list(BankStatementLine.objects.order_by("booking_date").values_list("match_kind", flat=True))
    assert kinds == [MatchKind.CONTRIBUTION, MatchKind.MEMBERSHIP]
    rec.refresh_from_db()
    assert rec.status == RecurringContribution.Status.ACTIVE
    check_ledger()


def test_stripe_payout_clears_the_clearing_account(host, collective, bank_account, check_ledger):
    from opencity.ledger.services import host_account, record_incoming_payment

    clearing = host_account(host, AccountKind.CLEARING, processor="stripe")
    record_incoming_payment(
        collective=collective,
        amount=10000,
        idempotency_key="card-1",
        source_account=clearing,
        processor_fee=175,
        processor_fee_account=host_account(host, AccountKind.PROCESSOR_FEES, processor="stripe"),
    )
    clearing.refresh_from_db()
    owed = -clearing.balance  # what Stripe owes the host (its payout)
    assert owed > 0
    services.statement_import(
        host=host,
        data=camt053(
            iban=IBAN, lines=[Line(owed, "STRIPE PAYOUT po_123", structured=False, name="Stripe Payments Europe")]
        ),
        system=True,
    )
    clearing.refresh_from_db()
    assert clearing.balance == 0
    assert BankStatementLine.objects.get().match_kind == MatchKind.PROCESSOR
    check_ledger()
