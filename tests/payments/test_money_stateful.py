"""A hypothesis state machine over the whole money surface, driving the services as pages, webhooks and
admins do: card contributions, refunds (whole, partial, by an admin, failing later), disputes (lost, won),
expenses (edited, approved, paid by hand, filed in a payout file, sent, confirmed, failed), added funds and
gifts between collectives. After every step:

- `check-ledger` finds nothing (every journal balances, cached totals are the sums, no funds below zero);
- the public figures hold: raised − spent = the balance of every collective;
- the public export (CSV) of every collective sums to its balance;
- no expense is paid at an amount the ledger did not move (and none moved money without being paid);
- the clearing account says what Stripe owes: gross − fees − refunds of the card payments.

Examples are kept modest (profile below) so it runs in well under a minute."""

import csv
import io
import itertools

import pytest
from django.db import transaction
from django.db.models import Q, Sum
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from opencity.contributions import services as contribution_services
from opencity.contributions import settlement
from opencity.contributions.models import Contribution
from opencity.core.errors import DomainError
from opencity.expenses import approvals, payouts
from opencity.expenses import services as expense_services
from opencity.expenses.models import Expense, ExpenseStatus
from opencity.ledger import services as ledger
from opencity.ledger.checks import ledger_breaches
from opencity.ledger.models import AccountKind, Transfer, TransferKind
from opencity.payments.clearing import clearing_owed
from opencity.transparency import exports
from opencity.transparency.selectors import collective_totals
from tests.conftest import enable_2fa, make_collective, make_user
from tests.expenses.conftest import item, payee, submit

hsettings.register_profile(
    "money-stateful",
    max_examples=5,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    database=None,
)

_n = itertools.count(1)
amounts = st.integers(min_value=100, max_value=20_000)


def _expense_moved(expense: Expense) -> int:
    """What the ledger moved out of the collective for this expense (its EXPENSE transfers, net)."""
    funds = ledger.funds_account(expense.collective)
    qs = Transfer.objects.filter(journal__source_type="expense", journal__source_id=expense.public_id)
    qs = qs.filter(Q(kind=TransferKind.EXPENSE) | Q(reversal_of__kind=TransferKind.EXPENSE))
    out = qs.filter(debit_account=funds).aggregate(s=Sum("amount"))["s"] or 0
    back = qs.filter(credit_account=funds).aggregate(s=Sum("amount"))["s"] or 0
    return out - back


def make_machine(host, collectives, host_admin):
    # host_admin: two-factor on and this 'session' passed it (enable_2fa)
    admins = {c.pk: enable_2fa(c.admins.first()) for c in collectives}  # gifts move money by hand
    submitter = make_user(name="Sam Submitter")
    by_pk = {c.pk: c for c in collectives}

    class MoneyMachine(RuleBasedStateMachine):
        paid = Bundle("paid")  # contributions settled by card
        expenses = Bundle("expenses")

        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        # --- money in ---------------------------------------------------------------------------------

        @rule(target=paid, c=st.sampled_from(collectives), amount=amounts, fee=st.integers(0, 90))
        def card_contribution(self, c, amount, fee):
            data = contribution_services.CheckoutRequest(
                amount=amount, payment_method="demo", email=f"p{next(_n)}@example.org", name="Giver"
            )
            contribution = contribution_services.contribution_create(collective=c, data=data)
            charge = f"ch_sm_{next(_n)}"
            for _ in range(2):  # the webhook delivered twice
                settlement.contribution_record_paid(
                    contribution=contribution, processor="stripe", processor_fee=fee, external_payment_id=charge
                )
            return contribution.pk

        @rule(c=st.sampled_from(collectives), amount=amounts, charge=st.booleans())
        def added_funds(self, c, amount, charge):
            ledger.added_funds_record(
                collective=c,
                amount=amount,
                source="sponsor",
                description="grant",
                charge_host_fee=charge,
                by=host_admin,
            )

        @rule(giver=st.sampled_from(collectives), receiver=st.sampled_from(collectives), amount=amounts)
        def gift(self, giver, receiver, amount):
            if giver.pk == receiver.pk:
                return
            try:
                ledger.collective_transfer(
                    from_collective=giver,
                    to_collective=receiver,
                    amount=amount,
                    description="gift",
                    by=admins[giver.pk],
                )
            except ledger.InsufficientFunds:
                pass

        # --- refunds and disputes -----------------------------------------------------------------------

        @rule(pk=paid, part=st.integers(1, 100), fee_back=st.integers(0, 30))
        def processor_refund(self, pk, part, fee_back):
            c = Contribution.objects.get(pk=pk)
            left = c.amount - c.amount_refunded
            if left <= 0 or c.status == Contribution.Status.DISPUTED:
                return
            amount = max(1, left * part // 100)
            refund = settlement.ProcessorRefund(
                external_id=f"re_sm_{next(_n)}", amount=amount, fee_returned=min(fee_back, c.processor_fee)
            )
            try:
                settlement.refund_record(contribution=c, refund=refund)
                settlement.refund_record(contribution=c, refund=refund)  # again: nothing more
            except DomainError:
                return  # not covered: the collective spent it (the webhook waits for a retry)

        @rule(pk=paid, go=st.integers(0, 2))
        def admin_refund(self, pk, go):
            if go:  # rarer than partial refunds, which would have nothing left to refund
                return
            c = Contribution.objects.get(pk=pk)
            try:
                settlement.contribution_refund(contribution=c, by=host_admin, reason="Given twice")
            except DomainError:
                return

        @rule(pk=paid)
        def last_refund_fails(self, pk):
            c = Contribution.objects.get(pk=pk)
            row = c.refunds.filter(failed_journal__isnull=True).last()
            if row is None:
                return
            settlement.refund_mark_failed(contribution=c, external_id=row.external_id)
            settlement.refund_mark_failed(contribution=c, external_id=row.external_id)

        @rule(pk=paid, fee=st.integers(0, 1500), won=st.booleans())
        def dispute(self, pk, fee, won):
            c = Contribution.objects.get(pk=pk)
            if c.status != Contribution.Status.PAID:
                return
            dp = f"dp_sm_{next(_n)}"
            d = settlement.ProcessorDispute(
                external_id=dp, status="needs_response", amount=c.amount, withdrawn=c.amount, withdrawal_fee=fee
            )
            try:
                settlement.dispute_record(contribution=c, dispute=d)
            except DomainError:
                return
            if won:
                d = settlement.ProcessorDispute(
                    external_id=dp, status="won", amount=c.amount, withdrawn=c.amount, withdrawal_fee=fee,
                    reinstated=c.amount,
                )  # fmt: skip
                settlement.dispute_record(contribution=c, dispute=d)

        # --- expenses -----------------------------------------------------------------------------------

        @rule(target=expenses, c=st.sampled_from(collectives), amount=amounts, approve=st.booleans())
        def expense_submitted(self, c, amount, approve):
            expense = submit(c, submitter, amount, payee=payee())
            if approve:
                self.expense_approved(expense.pk)
            return expense.pk

        @rule(e=expenses, amount=amounts)
        def expense_edited(self, e, amount):
            expense = Expense.objects.get(pk=e)
            try:
                expense_services.expense_update(
                    expense=expense, by=submitter, title="Flyers", category="printing", items=[item(amount)],
                    payee=payee(),
                )  # fmt: skip
            except DomainError:
                pass

        @rule(e=expenses)
        def expense_approved(self, e):
            expense = Expense.objects.get(pk=e)
            for by in (admins[expense.collective_id], host_admin):
                try:
                    approvals.expense_approve(expense=expense, by=by)
                except DomainError:
                    pass

        @rule(e=expenses)
        def expense_paid_by_hand(self, e):
            try:
                payouts.expense_mark_paid(expense=Expense.objects.get(pk=e), by=host_admin)
            except DomainError:
                pass

        @rule(sent=st.booleans(), outcome=st.sampled_from(["paid", "failed", "open"]))
        def payout_file(self, sent, outcome):
            try:
                batch = payouts.payout_batch_create(host=host, by=host_admin)
            except DomainError:
                return
            if not sent:
                return
            try:
                batch = payouts.payout_batch_mark_sent(batch=batch, by=host_admin)
            except DomainError:
                return
            if outcome == "paid":
                payouts.payout_batch_confirm_paid(batch=batch, by=host_admin)
            elif outcome == "failed":
                for expense in Expense.objects.filter(status=ExpenseStatus.SCHEDULED):
                    payouts.expense_mark_error(expense=expense, by=host_admin, note="IBAN closed")

        # --- what must hold after every step ------------------------------------------------------------

        @invariant()
        def books_are_whole(self):
            breaches, _ = ledger_breaches()
            assert breaches == []

        @invariant()
        def public_figures_and_exports_add_up(self):
            for c in collectives:
                totals = collective_totals(by_pk[c.pk])
                balance = ledger.funds_account(c).balance
                assert totals["total_raised"] - totals["total_spent"] == totals["balance"] == balance
                rows = list(csv.DictReader(io.StringIO("".join(exports.stream_csv(ledger.funds_account(c))))))
                assert sum(int(r["amount_minor"]) for r in rows) == balance

        @invariant()
        def expenses_paid_at_what_the_ledger_moved(self):
            for expense in Expense.objects.filter(submitted_by=submitter):
                moved = _expense_moved(expense)
                if expense.status == ExpenseStatus.PAID:
                    assert moved == expense.amount, (expense.status, expense.amount, moved)
                elif expense.status == ExpenseStatus.SCHEDULED:
                    assert moved == expense.amount  # in flight: out of the collective, not yet at the bank
                else:
                    assert moved == 0, (expense.status, moved)

        @invariant()
        def clearing_is_what_stripe_owes(self):
            """gross − fees − refunds, from the contributions' own records (disputes from their journals)."""
            paid = Contribution.objects.filter(journal__isnull=False)
            gross_net = sum(c.amount - c.processor_fee for c in paid)
            refunds_net = sum(
                r.amount - r.processor_fee_returned for c in paid for r in c.refunds.filter(failed_journal__isnull=True)
            )
            clearing = ledger.host_account(host, AccountKind.CLEARING, processor="stripe")
            disputes = Transfer.objects.filter(journal__idempotency_key__contains="_dispute_")
            dispute_net = (disputes.filter(credit_account=clearing).aggregate(s=Sum("amount"))["s"] or 0) - (
                disputes.filter(debit_account=clearing).aggregate(s=Sum("amount"))["s"] or 0
            )
            assert clearing_owed(host=host, processor="stripe") == gross_net - refunds_net - dispute_net

    return MoneyMachine


@pytest.mark.django_db
def test_money_surface_state_machine(host, settings):
    settings.DEMO_MODE = True
    collectives = [make_collective(host) for _ in range(2)]
    host_admin = enable_2fa(host.admins.first())
    ledger.added_funds_record(
        collective=collectives[0],
        amount=5_000,
        source="seed",
        description="seed",
        charge_host_fee=False,
        by=host_admin,
    )
    run_state_machine_as_test(
        make_machine(host, collectives, host_admin), settings=hsettings.get_profile("money-stateful")
    )
