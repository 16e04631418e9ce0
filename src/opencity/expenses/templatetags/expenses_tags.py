from django import template

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
