"""Emails about expenses: sent after commit, each in its recipient's language, through the task queue."""

from __future__ import annotations

from django.conf import settings
from django.db.transaction import on_commit
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

SUBJECTS = {
    "opencity.expense.submitted": _("New expense to approve: %(title)s"),
    "opencity.expense.resubmitted": _("Expense updated and resubmitted: %(title)s"),
    "opencity.expense.approved": _("Expense approved: %(title)s"),
    "opencity.expense.rejected": _("Expense rejected: %(title)s"),
    "opencity.expense.marked_incomplete": _("Your expense needs changes: %(title)s"),
    "opencity.expense.on_hold": _("Expense put on hold: %(title)s"),
    "opencity.expense.released": _("Expense taken off hold: %(title)s"),
    "opencity.expense.scheduled": _("Expense scheduled for payment: %(title)s"),
    "opencity.expense.paid": _("Expense paid: %(title)s"),
    "opencity.expense.error": _("Payment problem with an expense: %(title)s"),
    "opencity.expense.retry": _("Expense ready to pay again: %(title)s"),
    "opencity.expense.commented": _("New comment on the expense: %(title)s"),
}


def recipients(expense, action: str, by) -> list:
    """The people involved in this change, minus whoever made it."""
    submitter = expense.submitted_by
    admins = list(expense.collective.admins.filter(is_active=True))
    if action in {"opencity.expense.submitted", "opencity.expense.resubmitted"}:
        people = admins
    elif action == "opencity.expense.approved":
        people = [submitter, *expense.collective.host.admins.filter(is_active=True)]
    elif action == "opencity.expense.commented":
        people = [submitter, *admins]
    else:
        people = [submitter]
    seen, out = set(), []
    for user in people:
        if user is None or user.pk in seen or (by is not None and user.pk == getattr(by, "pk", None)):
            continue
        seen.add(user.pk)
        out.append(user)
    return out


def render(expense, action: str, user, note: str = "") -> tuple[str, str]:
    lang = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(lang):
        subject = str(SUBJECTS.get(action, _("Expense update: %(title)s")) % {"title": expense.title})
        path = reverse("expenses:detail", kwargs={"slug": expense.collective.slug, "public_id": expense.public_id})
        body = render_to_string(
            "expenses/email/expense_event.txt",
            {
                "expense": expense,
                "action": action,
                "status": expense.get_status_display(),
                "note": note,
                "url": settings.SITE_URL + path,
                "recipient": user,
            },
        )
    return subject, body


def send(expense_id: int, action: str, by_id: int | None, note: str) -> None:
    from opencity.accounts.models import User
    from opencity.core.tasks import send_email
    from opencity.expenses.models import Expense

    expense = Expense.objects.select_related("collective__host", "submitted_by").get(pk=expense_id)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    # A status email tells of this status: if the expense has moved on when the worker runs, it is dropped.
    guard = None
    if action != "opencity.expense.commented":
        guard = {"model": "expenses.Expense", "pk": expense.pk, "field": "status", "values": [expense.status]}
    for user in recipients(expense, action, by):
        subject, body = render(expense, action, user, note)
        send_email.enqueue(subject=subject, body=body, to=[user.email], guard=guard)


def notify_on_commit(*, expense, action: str, by, note: str = "") -> None:
    by_id = getattr(by, "pk", None)
    on_commit(lambda: send(expense.pk, action, by_id, note))
