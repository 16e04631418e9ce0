from django import template
from django.utils.html import format_html

from opencity.core.markdown import render_markdown
from opencity.money import Money, format_money

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def money(value, currency: str | None = None):
    """`{{ amount|money:"EUR" }}` for an int of minor units, or `{{ money_obj|money }}`."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        return format_money(value)
    return format_money(Money(int(value), currency or "EUR"))


@register.simple_tag
def money_spread(spread: dict, currency: str):
    """`{% money_spread r.raised "EUR" %}` → "median (lowest – highest)" of a {"median", "min", "max"} of minor
    units. Each amount is isolated (<bdi>): in a right-to-left page the three keep their order and their signs."""
    return format_html(
        "<bdi>{}</bdi> (<bdi>{}</bdi> – <bdi>{}</bdi>)",
        money(spread["median"], currency),
        money(spread["min"], currency),
        money(spread["max"], currency),
    )


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for filters and pagination links)."""
    params = context["request"].GET.copy()
    for key, val in kwargs.items():
        if val in (None, ""):
            params.pop(key, None)
        else:
            params[key] = val
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
