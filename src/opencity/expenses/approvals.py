"""The approval workflow of a submitted expense: approve (two admins above the host's threshold), reject,
mark incomplete, put on hold and release. Each locks the expense; a double-submitted form changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.expenses import payout_files, permissions
from opencity.expenses.models import Expense, ExpenseApproval, ExpenseStatus, PayoutLine
from opencity.expenses.services import lock_expense, record_event, record_transition

APPROVAL_MESSAGES = {
    "forbidden": (PermissionDenied, _("Only an admin of this collective or of its host can approve expenses.")),
    "wrong_status": (Conflict, _("Only an expense pending approval can be approved.")),
    "own_expense": (PermissionDenied, _("You cannot approve your own expense: another admin must approve it.")),
    "already_approved": (Conflict, _("You have already approved this expense; another admin must approve it too.")),
}


def approvals_needed(expense: Expense) -> int:
    threshold = expense.collective.host.expense_two_approvals_above
    return 2 if threshold is not None and expense.amount > threshold else 1


def expense_approve(*, expense: Expense, by, note: str = "") -> Expense:
    """Approve. Above the host's threshold two different admins must approve; the second one makes it payable."""
    with transaction.atomic():
        expense = lock_expense(expense)
        reason = permissions.approval_refusal(by, expense)
        if reason:
            exc, message = APPROVAL_MESSAGES[reason]
            raise exc(message, code=reason)
        ExpenseApproval.objects.create(expense=expense, by=by, round=expense.submission_round)
        count = expense.approvals.filter(round=expense.submission_round).count()
        needed = approvals_needed(expense)
        if count >= needed:
            expense.approved_at = timezone.now()
            record_transition(expense, action="opencity.expense.approved", to=ExpenseStatus.APPROVED, by=by, note=note)
        else:
            record_event(
                expense,
                action="opencity.expense.approval_added",
                by=by,
                note=note or str(_("Approval %(n)s of %(needed)s.") % {"n": count, "needed": needed}),
            )
        expense.save()
    return expense


def _simple_transition(
    *, expense, by, allowed, to, action, note, refusal, role=permissions.is_host_admin_of, require_note=False
) -> Expense:
    if require_note and not (note or "").strip():
        raise ValidationFailed(_("Please write a message for the submitter."), code="note_required", field="note")
    with transaction.atomic():
        # Payout files lock their batch, then its expenses: take the same order here (no deadlock).
        payout_files.lock_open_batch_of(expense)
        expense = lock_expense(expense)
        if not role(by, expense):
            raise PermissionDenied()
        if not allowed(by, expense):
            if expense.status == to:
                return expense  # a double-submitted form changes nothing
            raise Conflict(refusal, code="wrong_status")
        if expense.status == ExpenseStatus.APPROVED:
            _leave_payout_file(expense)
        record_transition(expense, action=action, to=to, by=by, note=(note or "").strip())
        expense.save()
    return expense


def _leave_payout_file(expense: Expense) -> None:
    """An approved expense stops being payable: out of the ready payout file it was in (rebuilt without it)."""
    line = expense.payout_lines.filter(status=PayoutLine.Status.OPEN).select_related("expense").first()
    if line is not None:
        payout_files.batch_drop_line(line=line)


def expense_reject(*, expense: Expense, by, note: str = "") -> Expense:
    return _simple_transition(
        expense=expense,
        by=by,
        role=permissions.is_expense_admin,
        allowed=permissions.can_reject,
        to=ExpenseStatus.REJECTED,
        action="opencity.expense.rejected",
        note=note,
        refusal=_("This expense can no longer be rejected."),
    )


def expense_mark_incomplete(*, expense: Expense, by, note: str) -> Expense:
    """Back to the submitter with a message: they edit and resubmit (approvals start over)."""
    if not permissions.is_host_admin_of(by, expense):
        raise PermissionDenied(_("Only an admin of the host can mark an expense incomplete."))
    return _simple_transition(
        expense=expense,
        by=by,
        allowed=permissions.can_mark_incomplete,
        to=ExpenseStatus.INCOMPLETE,
        action="opencity.expense.marked_incomplete",
        note=note,
        require_note=True,
        refusal=_("This expense cannot be marked incomplete now."),
    )


def expense_hold(*, expense: Expense, by, note: str = "") -> Expense:
    if not permissions.is_host_admin_of(by, expense):
        raise PermissionDenied(_("Only an admin of the host can put an expense on hold."))
    return _simple_transition(
        expense=expense,
        by=by,
        allowed=permissions.can_hold,
        to=ExpenseStatus.ON_HOLD,
        action="opencity.expense.on_hold",
        note=note,
        refusal=_("This expense cannot be put on hold now."),
    )


def expense_release(*, expense: Expense, by, note: str = "") -> Expense:
    """Take an expense off hold: back to pending approval (approvals of the round still count)."""
    if not permissions.is_host_admin_of(by, expense):
        raise PermissionDenied()
    with transaction.atomic():
        locked = lock_expense(expense)
        back = ExpenseStatus.PENDING
        last = locked.events.filter(to_status=ExpenseStatus.ON_HOLD).order_by("-pk").first()
        if last and last.from_status == ExpenseStatus.APPROVED:
            back = ExpenseStatus.APPROVED
    return _simple_transition(
        expense=expense,
        by=by,
        allowed=permissions.can_release,
        to=back,
        action="opencity.expense.released",
        note=note,
        refusal=_("This expense is not on hold."),
    )
