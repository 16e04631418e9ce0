"""Insights across a host's collectives, as JSON (the same figures as `/<host>/insights`)."""

from ninja import Router

from opencity.api.schemas import ErrorOut
from opencity.core.errors import NotFound
from opencity.hosting import selectors as hosting_selectors
from opencity.transparency import insights

router = Router(tags=["insights"])


@router.get(
    "/hosts/{slug}/insights",
    response={200: dict, 404: ErrorOut},
    auth=None,
    summary=(
        "Spending by category, what comparable collectives raise, event cost per attendee and sponsor gifts"
        " (groups of three or more)"
    ),
)
def host_insights(request, slug: str, category: str = "", commune: str = "", period: str = "12m"):
    host = hosting_selectors.host_by_slug(slug)
    if host is None:
        raise NotFound()
    filters = insights.insight_filters({"category": category, "commune": commune, "period": period})
    return insights.host_insights(host, **filters)
