from django import template
from django.utils.translation import get_language

from opencity.hosting.selectors import hosts_admined_by

register = template.Library()


@register.inclusion_tag("hosting/_user_menu.html", takes_context=True)
def user_menu(context):
    """The signed-in header menu: the same links on a phone and on a desktop, host-admin pages included."""
    request = context["request"]
    return {"user": request.user, "admin_hosts": hosts_admined_by(request.user), "request": request}


@register.filter
def texts(collective) -> dict:
    """`{% with t=collective|texts %}`: its name, tagline and about in the reader's language, with fallback."""
    return collective.text_in(get_language())
