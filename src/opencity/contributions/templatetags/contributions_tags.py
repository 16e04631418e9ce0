from django import template

register = template.Library()


@register.inclusion_tag("contributions/_collective_block.html", takes_context=True)
def collective_contribute_block(context, collective):
    """Tiers with their Contribute buttons, members and the contributors wall on the collective page."""
    return {"collective": collective, "request": context.get("request")}
