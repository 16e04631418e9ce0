"""Every permission question about expenses is answered here, and only here.

Roles: the submitter, the collective's admins, the host's admins. Approving needs an admin of the
collective or of its host (not the submitter when another such admin exists); marking incomplete,
holding and paying are for host admins, and paying also needs TOTP two-factor authentication.
"""

from __future__ import annotations

from django.db.models import Q

from opencity.accounts.models import User
from opencity.accounts.permissions import totp_on
from opencity.expenses.models import Expense, ExpenseStatus
from opencity.hosting.models import Collective
from opencity.hosting.permissions import is_collective_admin, is_host_admin

EDITABLE = {ExpenseStatus.DRAFT, ExpenseStatus.INCOMPLETE, ExpenseStatus.PENDING}
REVIEWABLE = {ExpenseStatus.PENDING, ExpenseStatus.ON_HOLD}


def _authed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_submitter(user, expense: Expense) -> bool:
    return _authed(user) and expense.submitted_by_id == user.pk


def is_expense_admin(user, expense: Expense) -> bool:
    """An admin of the expense's collective or of its host."""
    return is_collective_admin(user, expense.collective) or is_host_admin(user, expense.collective.host)


def is_host_admin_of(user, expense: Expense) -> bool:
    return is_host_admin(user, expense.collective.host)


def is_involved(user, expense: Expense) -> bool:
    """The people who may see receipts, bank details, addresses and private comments."""
    return is_submitter(user, expense) or is_expense_admin(user, expense)


def can_submit(user, collective: Collective) -> bool:
    return _authed(user) and collective.is_active


def can_view_private(user, expense: Expense) -> bool:
    return is_involved(user, expense)


def can_download_receipt(user, expense: Expense) -> bool:
    return is_involved(user, expense)


def can_edit(user, expense: Expense) -> bool:
    return is_submitter(user, expense) and expense.status in EDITABLE


def can_submit_draft(user, expense: Expense) -> bool:
    return is_submitter(user, expense) and expense.status in {ExpenseStatus.DRAFT, ExpenseStatus.INCOMPLETE}


def other_approvers_exist(expense: Expense, user) -> bool:
    """Whether an admin other than `user` could approve this expense."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(admin_of_collectives=expense.collective) | Q(admin_of_hosts=expense.collective.host_id),
        )
        .exclude(pk=user.pk)
        .exists()
    )


def approval_refusal(user, expense: Expense) -> str | None:
    """None when `user` may approve now, else a stable reason code."""
    if not is_expense_admin(user, expense):
        return "forbidden"
    if expense.status != ExpenseStatus.PENDING:
        return "wrong_status"
    if is_submitter(user, expense) and other_approvers_exist(expense, user):
        return "own_expense"
    if expense.approvals.filter(by=user, round=expense.submission_round).exists():
        return "already_approved"
    return None


def can_approve(user, expense: Expense) -> bool:
    return approval_refusal(user, expense) is None


def can_reject(user, expense: Expense) -> bool:
    """Admins reject others' expenses; a submitter who is also an admin never rejects their own (issue 10)."""
    return (
        is_expense_admin(user, expense)
        and not is_submitter(user, expense)
        and expense.status
        in {
            ExpenseStatus.PENDING,
            ExpenseStatus.ON_HOLD,
            ExpenseStatus.APPROVED,
            ExpenseStatus.ERROR,
            ExpenseStatus.INCOMPLETE,
        }
    )


def can_mark_incomplete(user, expense: Expense) -> bool:
    return is_host_admin(user, expense.collective.host) and expense.status in {
        ExpenseStatus.PENDING,
        ExpenseStatus.ON_HOLD,
        ExpenseStatus.APPROVED,
    }


def can_hold(user, expense: Expense) -> bool:
    return is_host_admin(user, expense.collective.host) and expense.status in {
        ExpenseStatus.PENDING,
        ExpenseStatus.APPROVED,
    }


def can_release(user, expense: Expense) -> bool:
    return is_host_admin(user, expense.collective.host) and expense.status == ExpenseStatus.ON_HOLD


def can_manage_payouts(user, host) -> bool:
    """See the host dashboard and make payout files (files hold IBANs: host admins only)."""
    return is_host_admin(user, host)


def can_pay_host(user, host) -> bool:
    """Show the paying forms: a host admin with TOTP two-factor on. Posting them asks for a fresh code when the
    sudo window has lapsed (accounts.decorators.sudo_redirect); the services check `has_2fa` itself."""
    return is_host_admin(user, host) and totp_on(user)


def pay_refusal(user, expense: Expense) -> str | None:
    """Why the pay form is not shown (None: it is). Paying itself needs `has_2fa` (checked by the service)."""
    if not is_host_admin(user, expense.collective.host):
        return "forbidden"
    if not totp_on(user):
        return "2fa_required"
    return None


def can_pay(user, expense: Expense) -> bool:
    return pay_refusal(user, expense) is None and expense.status == ExpenseStatus.APPROVED


def can_comment(user, expense: Expense) -> bool:
    return is_involved(user, expense)


def can_see_comment(user, expense: Expense, comment) -> bool:
    return not comment.private or is_involved(user, expense)
