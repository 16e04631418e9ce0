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


@register.filter
def expense_status(value: str) -> str:
    """The translated label of a status code."""
    if not value:
        return ""
    try:
        return str(ExpenseStatus(value).label)
    except ValueError:
        return value
