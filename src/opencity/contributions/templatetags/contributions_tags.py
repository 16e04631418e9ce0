from django import template

from opencity.contributions import permissions, selectors

register = template.Library()


@register.inclusion_tag("contributions/_collective_block.html", takes_context=True)
def collective_contribute_block(context, collective):
    """Tiers with their Contribute buttons, members and the contributors wall on the collective page."""
    request = context.get("request")
    members = selectors.collective_members(collective)
    for m in members:
        m.public_name = selectors.member_public_name(m)
    user = getattr(request, "user", None)
    return {
        "collective": collective,
        "request": request,
        "tiers": selectors.collective_tiers(collective),
        "members": members,
        "mrr": selectors.collective_monthly_recurring_income(collective),
        "contributors": selectors.collective_contributors(collective, limit=50),
        "messages_": selectors.collective_messages(collective),
        "can_manage": bool(user) and permissions.can_manage_tiers(user, collective),
    }


@register.inclusion_tag("contributions/_account_block.html", takes_context=True)
def account_contributions_block(context):
    """On the account settings page: the way to one's gifts, memberships and annual statements."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "memberships": selectors.recurring_of_user(user).exclude(status="cancelled").count(),
        "statements": selectors.statement_years(user),
    }
