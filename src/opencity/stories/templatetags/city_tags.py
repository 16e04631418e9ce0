from django import template
from django.utils import translation

from opencity.stories import front

register = template.Library()


@register.inclusion_tag("stories/_city_blocks.html", takes_context=True)
def city_blocks(context, host):
    return front.city_page(host) | {"lang": (translation.get_language() or "en")[:2], "request": context.get("request")}
