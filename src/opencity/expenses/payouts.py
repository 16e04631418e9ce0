"""Paying expenses: one by one ("mark as paid") or many at once in a SEPA payout batch.

Ledger postings (all through `post_journal`, so the collective's funds account can never go below zero):

* mark as paid: one journal, funds → host bank (EXPENSE), and the bank fee if any as its own leg,
  funds → host bank (BANK_FEE). The collective bears the fee of paying its own expense, visibly, as it
  bears card processor fees on contributions; both legs are checked against the balance together.
* batch marked sent: one journal per expense, funds → payouts in flight (EXPENSE). The money leaves the
  collective the moment the file goes to the bank, so the funds guard counts scheduled expenses and two
  admins can never commit the same euro twice.
* batch confirmed paid (or, later, a bank-statement debit line quoting the end-to-end id): payouts in
  flight → bank (SETTLEMENT), one journal per expense. The collective's balance does not move again,
  except for the bank's fee for the file if the admin gives one: one journal, a BANK_FEE leg per
  collective (funds → bank), shared in proportion to what the file paid for each (batch_fees.py).
* an error on a scheduled expense reverses its in-flight journal: the money is back in the collective.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.expenses import batch_fees, payout_files, permissions, sepa
from opencity.expenses.models import Expense, ExpenseStatus, PayoutBatch, PayoutLine
from opencity.expenses.services import lock_expense, record_transition
from opencity.ledger import services as ledger
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import AccountKind, TransferKind
from opencity.money import MAX_AMOUNT_MINOR, Money, format_money

PAY_REFUSALS = {
    "forbidden": _("Only an admin of the host can pay expenses."),
    "2fa_required": _("Turn on two-factor authentication in your settings before paying expenses."),
}


def _check_can_pay(by, host) -> None:
    if not permissions.is_host_admin(by, host):
        raise PermissionDenied(PAY_REFUSALS["forbidden"], code="forbidden")
    if not permissions.has_2fa(by):
        raise PermissionDenied(PAY_REFUSALS["2fa_required"], code="2fa_required")


def _insufficient(expense: Expense, needed: int) -> InsufficientFunds:
    balance = ledger.funds_account(expense.collective).balance
    return InsufficientFunds(
        _("%(collective)s has %(balance)s available; paying “%(title)s” needs %(needed)s. Nothing was paid.")
        % {
            "collective": expense.collective.name,
            "balance": format_money(Money(balance, expense.currency)),
            "title": expense.title,
            "needed": format_money(Money(needed, expense.currency)),
        }
    )


def _journal_kwargs(expense: Expense, by, effective_date=None) -> dict:
    return {
        "host": expense.collective.host,
        "source_type": "expense",
        "source_id": expense.public_id,
        "person": expense.payee_person,
        "counterparty_label": expense.payee_name,
        "created_by": by,
        "effective_date": effective_date,
    }


def expense_mark_paid(
    *, expense: Expense, by, paid_on: dt.date | None = None, bank_fee: int = 0, system: bool = False
) -> Expense:
    """A host admin paid this expense outside OpenCity (bank app, cash). Safe to submit twice.

    `system` skips the 2FA check for the demo seeder and command-line tools; pages and API never set it.
    """
    host = expense.collective.host
    if not system:
        _check_can_pay(by, host)
    if isinstance(bank_fee, bool) or not isinstance(bank_fee, int) or bank_fee < 0 or bank_fee > MAX_AMOUNT_MINOR:
        raise ValidationFailed(_("The bank fee must be zero or more."), code="invalid_fee", field="bank_fee")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationFailed(_("The payment date cannot be in the future."), code="date_in_future", field="paid_on")
    with transaction.atomic():
        expense = lock_expense(expense)
        if expense.status == ExpenseStatus.PAID and expense.paid_journal_id:
            return expense
        if expense.status != ExpenseStatus.APPROVED:
            raise Conflict(_("Only an approved expense can be paid."), code="wrong_status")
        if expense.payout_lines.filter(status=PayoutLine.Status.OPEN).exists():
            raise Conflict(
                _("This expense is in a payout file; cancel that batch first or confirm it."), code="in_batch"
            )
        funds = ledger.funds_account(expense.collective)
        bank = ledger.host_account(host, AccountKind.BANK)
        legs = [ledger.Leg(funds, bank, expense.amount, TransferKind.EXPENSE, f"Expense: {expense.title}")]
        if bank_fee:
            legs.append(ledger.Leg(funds, bank, bank_fee, TransferKind.BANK_FEE, "Bank fee"))
        try:
            journal = ledger.post_journal(
                idempotency_key=f"expense:{expense.public_id}:paid",
                kind=TransferKind.EXPENSE,
                legs=legs,
                description=f"Expense: {expense.title}",
                **_journal_kwargs(expense, by, paid_on),
            )
        except InsufficientFunds:
            raise _insufficient(expense, expense.amount + bank_fee) from None
        expense.paid_journal = journal
        expense.paid_on = paid_on
        record_transition(expense, action="opencity.expense.paid", to=ExpenseStatus.PAID, by=by)
        expense.save()
    return expense


# --- batches ------------------------------------------------------------------------------------------


def payable_expenses(host):
    """Approved expenses of the host's collectives, not already in an open payout file, oldest first."""
    return (
        Expense.objects.filter(collective__host=host, status=ExpenseStatus.APPROVED, payout_method__isnull=False)
        .exclude(payout_lines__status=PayoutLine.Status.OPEN)
        .select_related("collective", "payout_method")
        .order_by("approved_at", "pk")
    )


def _end_to_end_id(expense: Expense) -> str:
    attempt = expense.payout_lines.count() + 1
    return f"OC-{expense.public_id.split('_', 1)[1].upper()}-{attempt}"[:35]


def payout_batch_create(
    *,
    host,
    by=None,
    expenses: list[Expense] | None = None,
    schema: str = sepa.DEFAULT_SCHEMA,
    execution_date: dt.date | None = None,
    system: bool = False,
    progress=None,
    skipped: list[Expense] | None = None,
) -> PayoutBatch:
    """Put approved expenses in one SEPA file for the host's bank. Moves no money yet (see mark sent).

    Expenses that the collective cannot afford (counting the others in the file) are left out. An expense
    whose bank details the SEPA schema refuses stops the file with a message naming it — or, when a
    `skipped` list is given, is left out and appended to it. `system` is for the `opencity payouts`
    command, run by someone with access to the server.
    """
    if not system:
        _check_can_pay(by, host)
    if schema not in sepa.SCHEMAS:
        raise ValidationFailed(_("Unknown file format."), code="invalid_schema", field="schema")
    if host.currency != "EUR":
        raise ValidationFailed(_("SEPA payout files are in euros only."), code="currency_not_sepa")
    if not host.iban:
        raise ValidationFailed(_("Set the host's IBAN before making payout files."), code="host_iban_missing")
    execution_date = execution_date or timezone.localdate()
    with transaction.atomic():
        qs = payable_expenses(host)
        if expenses is not None:
            qs = qs.filter(pk__in=[e.pk for e in expenses])
        candidates = list(Expense.objects.select_for_update().filter(pk__in=qs.values("pk")).order_by("pk"))
        # Re-read under the locks: another admin's file may have taken some of them while we waited.
        taken = set(
            PayoutLine.objects.filter(expense__in=candidates, status=PayoutLine.Status.OPEN).values_list(
                "expense_id", flat=True
            )
        )
        candidates = [e for e in candidates if e.pk not in taken and e.status == ExpenseStatus.APPROVED]
        order = {e.pk: i for i, e in enumerate(qs)}
        candidates.sort(key=lambda e: order.get(e.pk, 0))
        left: dict[int, int] = {}
        chosen = []
        for expense in candidates:
            if expense.collective_id not in left:
                left[expense.collective_id] = ledger.funds_account(expense.collective).balance
            if expense.amount <= left[expense.collective_id]:
                left[expense.collective_id] -= expense.amount
                chosen.append(expense)
            if progress is not None:
                progress(1)
        if not chosen:
            raise Conflict(_("No approved expense can be paid right now."), code="nothing_payable")
        batch = PayoutBatch(
            host=host,
            schema=schema,
            execution_date=execution_date,
            currency=host.currency,
            created_by=by,
            message_id="",
        )
        lines = [
            PayoutLine(
                batch=batch,
                expense=e,
                amount=e.amount,
                iban=e.payout_method.iban,
                end_to_end_id=_end_to_end_id(e),
            )
            for e in chosen
        ]
        try:
            payout_files.batch_write_file(batch, lines)
        except payout_files.UnpayableExpense:
            if skipped is None:
                raise
            # The command-line tool leaves out what the bank would refuse, says so, and files the rest.
            bad = payout_files.unpayable_lines(batch, lines)
            skipped.extend(line.expense for line in bad)
            lines = [line for line in lines if line not in bad]
            if not lines:
                raise Conflict(_("No approved expense can be paid right now."), code="nothing_payable") from None
            payout_files.batch_write_file(batch, lines)
        batch.save()
        for line in lines:
            line.batch = batch
        try:
            with transaction.atomic():
                PayoutLine.objects.bulk_create(lines)
        except IntegrityError:
            raise Conflict(
                _("Another payout file took some of these expenses at the same time; try again."), code="conflict"
            ) from None
    return batch


def _lock_batch(batch: PayoutBatch) -> PayoutBatch:
    return PayoutBatch.objects.select_for_update().select_related("host").get(pk=batch.pk)


def payout_batch_mark_sent(*, batch: PayoutBatch, by, system: bool = False) -> PayoutBatch:
    """The file went to the bank: every expense is scheduled and its money moves to payouts in flight.

    All or nothing: if one collective cannot afford its expense any more, nothing is marked.
    """
    if not system:
        _check_can_pay(by, batch.host)
    with transaction.atomic():
        batch = _lock_batch(batch)
        if batch.status == PayoutBatch.Status.SENT:
            return batch
        if batch.status != PayoutBatch.Status.READY:
            raise Conflict(_("This payout file was already handled."), code="wrong_status")
        in_flight = ledger.host_account(batch.host, AccountKind.PAYOUTS_IN_FLIGHT)
        for line in batch.lines.filter(status=PayoutLine.Status.OPEN).select_related("expense").order_by("pk"):
            expense = lock_expense(line.expense)
            if expense.status != ExpenseStatus.APPROVED:
                raise Conflict(
                    _("“%(title)s” is no longer approved; cancel this file and make a new one.")
                    % {"title": expense.title},
                    code="wrong_status",
                )
            if payout_files.line_mismatch(line, expense):
                raise payout_files.mismatch_conflict(expense)
            try:
                journal = ledger.post_journal(
                    idempotency_key=f"payout:{line.end_to_end_id}:sent",
                    kind=TransferKind.EXPENSE,
                    legs=[
                        ledger.Leg(
                            ledger.funds_account(expense.collective),
                            in_flight,
                            line.amount,
                            TransferKind.EXPENSE,
                            f"Expense: {expense.title}",
                        )
                    ],
                    description=f"Expense: {expense.title}",
                    **_journal_kwargs(expense, by),
                )
            except InsufficientFunds:
                raise _insufficient(expense, line.amount) from None
            line.in_flight_journal = journal
            line.save(update_fields=["in_flight_journal"])
            record_transition(expense, action="opencity.expense.scheduled", to=ExpenseStatus.SCHEDULED, by=by)
            expense.save()
        batch.status = PayoutBatch.Status.SENT
        batch.sent_at = timezone.now()
        batch.save(update_fields=["status", "sent_at"])
    return batch


def _settle_line(line: PayoutLine, *, by, paid_on: dt.date) -> None:
    expense = lock_expense(line.expense)
    if line.status != PayoutLine.Status.OPEN or expense.status != ExpenseStatus.SCHEDULED:
        return
    if payout_files.line_mismatch(line, expense):
        # Never "paid €900" when the file moved €10: nothing is posted, the admin sorts it out.
        raise payout_files.mismatch_conflict(expense)
    host = expense.collective.host
    journal = ledger.post_journal(
        idempotency_key=f"payout:{line.end_to_end_id}:paid",
        kind=TransferKind.SETTLEMENT,
        legs=[
            ledger.Leg(
                ledger.host_account(host, AccountKind.PAYOUTS_IN_FLIGHT),
                ledger.host_account(host, AccountKind.BANK),
                line.amount,
                TransferKind.SETTLEMENT,
                f"Payout {line.end_to_end_id}",
            )
        ],
        description=f"Payout {line.end_to_end_id}",
        **_journal_kwargs(expense, by, paid_on),
    )
    line.settled_journal = journal
    line.status = PayoutLine.Status.PAID
    line.save(update_fields=["settled_journal", "status"])
    expense.paid_on = paid_on
    record_transition(expense, action="opencity.expense.paid", to=ExpenseStatus.PAID, by=by)
    expense.save()


def _close_batch_if_done(batch: PayoutBatch) -> None:
    """Once no line of a sent file is open, its status says what happened: paid, partly paid or failed."""
    if batch.status != PayoutBatch.Status.SENT:
        return
    outcomes = set(batch.lines.exclude(status=PayoutLine.Status.CANCELLED).values_list("status", flat=True))
    if not outcomes or PayoutLine.Status.OPEN in outcomes:
        return
    if outcomes == {PayoutLine.Status.PAID}:
        batch.status = PayoutBatch.Status.PAID
    elif outcomes == {PayoutLine.Status.FAILED}:
        batch.status = PayoutBatch.Status.FAILED
    else:
        batch.status = PayoutBatch.Status.PARTLY_PAID
    batch.paid_at = timezone.now() if batch.status != PayoutBatch.Status.FAILED else None
    batch.save(update_fields=["status", "paid_at"])


def payout_batch_confirm_paid(
    *, batch: PayoutBatch, by, paid_on: dt.date | None = None, bank_fee: int = 0, system: bool = False
) -> PayoutBatch:
    """The bank executed the file: every scheduled expense in it is paid. Safe to submit twice.

    `bank_fee` (minor units, optional) is the bank's charge for the whole file, shared by its collectives
    (see batch_fees). If one of them cannot cover its share, nothing is confirmed and nothing is posted.
    A file already confirmed (or settled line by line from a bank statement) can still get its fee, once.
    """
    if not system:
        _check_can_pay(by, batch.host)
    batch_fees.validate_fee(bank_fee)
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationFailed(_("The payment date cannot be in the future."), code="date_in_future", field="paid_on")
    with transaction.atomic():
        batch = _lock_batch(batch)
        if batch.status in (PayoutBatch.Status.PAID, PayoutBatch.Status.PARTLY_PAID):
            batch_fees.post_batch_fee(batch=batch, bank_fee=bank_fee, by=by, paid_on=paid_on)
            return batch
        if batch.status != PayoutBatch.Status.SENT:
            if batch.status == PayoutBatch.Status.FAILED:
                raise Conflict(
                    _("Every payment of this file failed: there is nothing to confirm."), code="wrong_status"
                )
            raise Conflict(_("Mark the file as sent to the bank first."), code="wrong_status")
        for line in batch.lines.filter(status=PayoutLine.Status.OPEN).select_related("expense").order_by("pk"):
            _settle_line(line, by=by, paid_on=paid_on)
        _close_batch_if_done(batch)
        batch_fees.post_batch_fee(batch=batch, bank_fee=bank_fee, by=by, paid_on=paid_on)
    return batch


def payout_line_settle(*, end_to_end_id: str, paid_on: dt.date, by=None) -> PayoutLine | None:
    """For bank statement import: a debit line quoting this end-to-end id confirms that one payout.

    Returns None when no such payout is known; does nothing when it is already settled.
    """
    with transaction.atomic():
        line = PayoutLine.objects.select_for_update().filter(end_to_end_id=end_to_end_id).first()
        if line is None:
            return None
        batch = _lock_batch(line.batch)
        if batch.status != PayoutBatch.Status.SENT:
            return line
        if payout_files.line_mismatch(line, lock_expense(line.expense)):
            return line  # the statement pays an old version of the expense: left for an admin to look at
        _settle_line(line, by=by, paid_on=paid_on)
        _close_batch_if_done(batch)
    return line


def payout_batch_cancel(*, batch: PayoutBatch, by) -> PayoutBatch:
    """Throw away a file that was not sent; its expenses are payable again."""
    if not permissions.can_manage_payouts(by, batch.host):
        raise PermissionDenied()
    with transaction.atomic():
        batch = _lock_batch(batch)
        if batch.status == PayoutBatch.Status.CANCELLED:
            return batch
        if batch.status != PayoutBatch.Status.READY:
            raise Conflict(_("A file sent to the bank cannot be cancelled."), code="wrong_status")
        batch.lines.filter(status=PayoutLine.Status.OPEN).update(status=PayoutLine.Status.CANCELLED)
        batch.status = PayoutBatch.Status.CANCELLED
        batch.save(update_fields=["status"])
    return batch


def expense_mark_error(*, expense: Expense, by, note: str = "", system: bool = False) -> Expense:
    """The bank refused a scheduled payment: its in-flight money goes back to the collective."""
    if not system:
        _check_can_pay(by, expense.collective.host)
    with transaction.atomic():
        expense = lock_expense(expense)
        if expense.status == ExpenseStatus.ERROR:
            return expense
        if expense.status != ExpenseStatus.SCHEDULED:
            raise Conflict(_("Only a scheduled payment can fail."), code="wrong_status")
        line = expense.payout_lines.select_for_update().get(status=PayoutLine.Status.OPEN)
        ledger.journal_reverse(
            journal=line.in_flight_journal,
            idempotency_key=f"payout:{line.end_to_end_id}:failed",
            reason=(note or "Payment failed")[:300],
            created_by=by,
        )
        line.status = PayoutLine.Status.FAILED
        line.save(update_fields=["status"])
        record_transition(expense, action="opencity.expense.error", to=ExpenseStatus.ERROR, by=by, note=note)
        expense.save()
        _close_batch_if_done(_lock_batch(line.batch))
    return expense


def expense_retry(*, expense: Expense, by, note: str = "") -> Expense:
    """After an error (e.g. a corrected IBAN), the expense is approved and payable again."""
    if not permissions.is_host_admin(by, expense.collective.host):
        raise PermissionDenied()
    with transaction.atomic():
        expense = lock_expense(expense)
        if expense.status == ExpenseStatus.APPROVED:
            return expense
        if expense.status != ExpenseStatus.ERROR:
            raise Conflict(_("Only an expense with a payment error can be retried."), code="wrong_status")
        record_transition(expense, action="opencity.expense.retry", to=ExpenseStatus.APPROVED, by=by, note=note)
        expense.save()
    return expense
