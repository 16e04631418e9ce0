from django import template

register = template.Library()


@register.inclusion_tag("transparency/_collective_summary.html", takes_context=True)
def collective_money_summary(context, collective):
    """Balance, raised, spent, yearly budget and the monthly chart on the collective page."""
    return {"collective": collective, "request": context.get("request")}
