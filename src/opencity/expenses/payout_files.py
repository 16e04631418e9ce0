"""The SEPA file of a payout batch: built from its open lines, rebuilt when a line leaves, and the check that
each line still pays what its expense says (amount and IBAN) before the file is sent or confirmed.

A line is a promise made from the expense as it was when the file was made. If the expense is edited
afterwards (marked incomplete, changed to €900 with a new IBAN, approved again), the old line must not be
sent, nor confirmed as paying the new amount: the line is dropped and the file rebuilt while it is still
"ready"; a file already sent refuses to be confirmed for a line that no longer matches.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from sepaxml.validation import ValidationError as SepaValidationError

from opencity.core.errors import Conflict, ValidationFailed
from opencity.core.ids import new_public_id
from opencity.expenses import sepa
from opencity.expenses.models import Expense, PayoutBatch, PayoutLine


class UnpayableExpense(ValidationFailed):
    """The bank file cannot carry this expense (its bank details are refused by the SEPA schema)."""

    def __init__(self, expense: Expense):
        self.expense = expense
        super().__init__(
            _(
                "“%(title)s” (%(id)s) cannot go in a SEPA file: the bank refuses its account details (IBAN, BIC "
                "or account holder). Ask the submitter to correct them, then try again."
            )
            % {"title": expense.title, "id": expense.public_id},
            code="unpayable_expense",
        )


def _payment(line: PayoutLine) -> sepa.Payment:
    e = line.expense
    return sepa.Payment(
        name=e.payout_method.account_holder,
        iban=line.iban or e.payout_method.iban,
        bic=e.payout_method.bic,
        amount=line.amount,
        description=f"{e.title} {line.end_to_end_id}",
        end_to_end_id=line.end_to_end_id,
        address={
            "street_name": e.address_street,
            "building_number": e.address_number,
            "postcode": e.address_postcode,
            "town": e.address_town,
            "country": e.address_country,
        },
    )


def _build(batch: PayoutBatch, payments: list[sepa.Payment]) -> tuple[bytes, str]:
    host = batch.host
    return sepa.build_pain001(
        debtor_name=host.legal_name,
        debtor_iban=host.iban,
        debtor_bic=host.bic,
        currency=host.currency,
        execution_date=batch.execution_date,
        payments=payments,
        schema=batch.schema,
    )


def unpayable_lines(batch: PayoutBatch, lines: list[PayoutLine]) -> list[PayoutLine]:
    """The lines the SEPA schema refuses, each tried alone (only called once the whole file was refused)."""
    bad = []
    for line in lines:
        try:
            _build(batch, [_payment(line)])
        except (SepaValidationError, ValueError):
            bad.append(line)
    return bad


def batch_write_file(batch: PayoutBatch, lines: list[PayoutLine]) -> None:
    """Build and attach the validated XML for `lines`; totals follow. Names the expense the bank would refuse."""
    try:
        xml, message_id = _build(batch, [_payment(line) for line in lines])
    except (SepaValidationError, ValueError):
        bad = unpayable_lines(batch, lines)
        raise UnpayableExpense(bad[0].expense if bad else lines[0].expense) from None
    batch.message_id = message_id[:35]
    batch.total = sum(line.amount for line in lines)
    batch.count = len(lines)
    batch.file.save(f"{new_public_id('sct', 16)}.xml", ContentFile(xml), save=False)


def lock_open_batch_of(expense: Expense) -> None:
    """Lock the batch of the expense's open payout line, if any (batches are locked before their expenses)."""
    batch_id = (
        PayoutLine.objects.filter(expense=expense, status=PayoutLine.Status.OPEN)
        .values_list("batch_id", flat=True)
        .first()
    )
    if batch_id is not None:
        PayoutBatch.objects.select_for_update().filter(pk=batch_id).first()


def batch_drop_line(*, line: PayoutLine) -> None:
    """An expense left APPROVED while in a ready file: its line is cancelled and the file rebuilt without it
    (or the file cancelled when it was the last one). A sent file cannot lose a line: refused."""
    batch = PayoutBatch.objects.select_for_update().select_related("host").get(pk=line.batch_id)
    if batch.status != PayoutBatch.Status.READY:
        raise Conflict(
            _("“%(title)s” is in a payout file already sent to the bank.") % {"title": line.expense.title},
            code="in_sent_payout_file",
        )
    PayoutLine.objects.filter(pk=line.pk).update(status=PayoutLine.Status.CANCELLED)
    rest = list(
        batch.lines.filter(status=PayoutLine.Status.OPEN).select_related("expense__payout_method").order_by("pk")
    )
    old = batch.file.name
    if rest:
        batch_write_file(batch, rest)
        batch.save(update_fields=["message_id", "total", "count", "file"])
    else:
        batch.status = PayoutBatch.Status.CANCELLED
        batch.total, batch.count = 0, 0
        batch.save(update_fields=["status", "total", "count"])
        return
    if old and old != batch.file.name:
        storage = batch.file.storage
        transaction.on_commit(lambda: storage.delete(old))


def line_mismatch(line: PayoutLine, expense: Expense) -> bool:
    """Whether the expense no longer says what the line pays (amount or IBAN changed since the file was made)."""
    iban = expense.payout_method.iban if expense.payout_method_id else ""
    return line.amount != expense.amount or bool(line.iban) and line.iban != iban


def mismatch_conflict(expense: Expense) -> Conflict:
    return Conflict(
        _(
            "“%(title)s” changed since this payout file was made (amount or account): the file does not pay "
            "what the expense now says. Nothing was changed."
        )
        % {"title": expense.title},
        code="payout_line_mismatch",
    )
