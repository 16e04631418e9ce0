"""The unmatched queue: a host admin (with two-factor) assigns, marks as the host's own, leaves or takes back."""

import pytest

from opencity.banking import matching, reconciliation, services
from opencity.banking.models import BankStatementLine, LineState, MatchKind
from opencity.core.errors import Conflict, PermissionDenied
from opencity.expenses.models import PayoutLine
from opencity.ledger.models import Journal
from opencity.ledger.services import funds_account
from tests.banking.conftest import IBAN
from tests.banking.files import Line, camt053, coda
from tests.conftest import enable_2fa, make_user


def collective_balance(collective) -> int:
    return funds_account(collective).balance


@pytest.fixture
def admin(host_admin):
    return enable_2fa(host_admin)


def _line(host, amount, text="sponsor"):
    services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[Line(amount, text, structured=False)]), system=True
    )
    return BankStatementLine.objects.get()


def test_assign_added_funds_then_undo(host, collective, bank_account, admin, check_ledger):
    line = _line(host, 10000)
    line = matching.line_assign_added_funds(line=line, collective=collective, by=admin)
    assert (line.state, line.match_kind) == (LineState.ASSIGNED, MatchKind.ADDED_FUNDS)
    assert collective_balance(collective) == 10000 - 800
    assert reconciliation.account_reconciliation(bank_account).reconciled
    # Again: refused, nothing moves twice.
    with pytest.raises(Conflict):
        matching.line_assign_added_funds(line=line, collective=collective, by=admin)
    line = matching.line_undo(line=line, by=admin, reason="wrong collective")
    assert line.state == LineState.UNMATCHED and line.journal_id is None
    assert collective_balance(collective) == 0
    assert Journal.objects.filter(reverses__isnull=False).count() == 1
    # And assigned again, with a fresh ledger key.
    matching.line_assign_contribution(line=line, collective=collective, by=admin, name="Marie Dubois", public=True)
    assert collective_balance(collective) == 10000 - 800
    check_ledger()


def test_host_own_movement_and_leave(host, bank_account, admin, check_ledger):
    services.statement_import(
        host=host,
        data=coda(
            iban=IBAN, lines=[Line(-250, "Frais de gestion", structured=False), Line(13, "Interest", structured=False)]
        ),
        system=True,
    )
    fee, interest = BankStatementLine.objects.order_by("amount")
    matching.line_mark_host(line=fee, by=admin, note="bank fees")
    matching.line_leave(line=interest, by=admin)
    assert reconciliation.account_reconciliation(bank_account).difference == 13
    matching.line_undo(line=interest, by=admin, reason="interest after all")
    interest.refresh_from_db()
    matching.line_mark_host(line=interest, by=admin, note="interest")
    assert reconciliation.account_reconciliation(bank_account).reconciled
    check_ledger()


def test_assigning_needs_host_admin_with_2fa(host, collective, bank_account, host_admin):
    line = _line(host, 500)
    with pytest.raises(PermissionDenied) as err:
        matching.line_assign_added_funds(line=line, collective=collective, by=host_admin)
    assert err.value.code == "2fa_required"
    stranger = enable_2fa(make_user())
    with pytest.raises(PermissionDenied):
        matching.line_mark_host(line=line, by=stranger)
    line.refresh_from_db()
    assert line.state == LineState.UNMATCHED


def test_payout_debit_settles_its_payout_line(host, collective, bank_account, admin, check_ledger):
    from opencity.expenses import payouts
    from tests.expenses.conftest import approved, fund

    fund(collective, 50000)
    expense = approved(collective, make_user(), amount=4200)
    batch = payouts.payout_batch_create(host=host, expenses=[expense], by=admin)
    payouts.payout_batch_mark_sent(batch=batch, by=admin)
    e2e = batch.lines.get().end_to_end_id
    services.statement_import(
        host=host,
        data=camt053(iban=IBAN, lines=[Line(-4200, "payout", structured=False, end_to_end_id=e2e)]),
        system=True,
    )
    line = BankStatementLine.objects.get()
    assert (line.state, line.match_kind) == (LineState.MATCHED, MatchKind.PAYOUT)
    assert PayoutLine.objects.get().status == PayoutLine.Status.PAID
    check_ledger()
