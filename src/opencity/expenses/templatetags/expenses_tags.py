from django import template

register = template.Library()


@register.inclusion_tag("expenses/_collective_block.html", takes_context=True)
def collective_expenses_block(context, collective):
    """Recent expenses and the "Submit an expense" link on the collective page."""
    return {"collective": collective, "request": context.get("request")}
