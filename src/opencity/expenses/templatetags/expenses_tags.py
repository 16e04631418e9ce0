from django import template
from django.utils.translation import gettext_lazy as _

from opencity.expenses.models import ExpenseStatus

register = template.Library()


@register.inclusion_tag("expenses/_collective_block.html", takes_context=True)
def collective_expenses_block(context, collective):
    """Recent expenses and the "Submit an expense" link on the collective page."""
    from opencity.expenses.selectors import public_expenses

    return {
        "collective": collective,
        "request": context.get("request"),
        "recent": list(public_expenses(collective)[:5]),
    }


@register.inclusion_tag("expenses/_account_block.html", takes_context=True)
def account_expenses_block(context):
    """On the user's settings page: their latest expenses and their status."""
    from opencity.expenses.selectors import my_expenses

    user = context.get("user")
    recent = list(my_expenses(user)[:5]) if user is not None and user.is_authenticated else []
    return {"recent": recent, "request": context.get("request")}


@register.filter
def expense_status(value: str) -> str:
    """The translated label of a status code."""
    if not value:
        return ""
    try:
        return str(ExpenseStatus(value).label)
    except ValueError:
        return value


_ACTIONS = {
    "opencity.expense.approval_added": _("approved it (more approvals are needed)"),
    "opencity.expense.approved": _("approved it"),
    "opencity.expense.commented": _("commented"),
    "opencity.expense.created": _("created it"),
    "opencity.expense.edited": _("edited it"),
    "opencity.expense.error": _("reported a payment error"),
    "opencity.expense.marked_incomplete": _("marked it incomplete"),
    "opencity.expense.on_hold": _("put it on hold"),
    "opencity.expense.paid": _("marked it paid"),
    "opencity.expense.rejected": _("rejected it"),
    "opencity.expense.released": _("took it off hold"),
    "opencity.expense.resubmitted": _("submitted it again"),
    "opencity.expense.retry": _("made it ready to pay again"),
    "opencity.expense.scheduled": _("put it in a payout file"),
    "opencity.expense.submitted": _("submitted it"),
}


@register.filter
def expense_action(value: str) -> str:
    """What an event did, in the reader's language (the stored action is a stable dotted name)."""
    label = _ACTIONS.get(value or "")
    return str(label) if label is not None else ""
