from django import template

from opencity.ledger.permissions import can_manage_ledger
from opencity.transparency import selectors
from opencity.transparency.charts import flows_svg

register = template.Library()


@register.inclusion_tag("transparency/_collective_summary.html", takes_context=True)
def collective_money_summary(context, collective):
    """Balance, raised, spent, yearly budget and the monthly chart; host totals on the host's own profile."""
    host = collective.host
    request = context.get("request")
    can_see_books = False
    if collective.is_host_profile:
        user = getattr(request, "user", None)
        can_see_books = bool(user and user.is_authenticated and can_manage_ledger(user, host))
        totals = selectors.host_totals(host)
        flows = selectors.host_monthly_flows(host)
    else:
        totals = selectors.collective_totals(collective)
        flows = selectors.collective_monthly_flows(collective)
    return {
        "collective": collective,
        "is_host": collective.is_host_profile,
        "totals": totals,
        "currency": totals["currency"],
        "flows": flows,
        "chart": flows_svg(flows, totals["currency"], chart_id=f"flows-{collective.slug}"),
        "has_flows": any(f["money_in"] or f["money_out"] for f in flows),
        "request": request,
        "can_see_books": can_see_books,
    }


@register.inclusion_tag("transparency/_collectives_like.html")
def collectives_like_block(collective):
    """The collective's raised total beside others of its kind (only when there are three or more)."""
    from opencity.transparency.insights import collectives_like

    return {"collective": collective, "like": collectives_like(collective)}
