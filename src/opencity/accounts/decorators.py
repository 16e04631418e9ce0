from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from opencity.accounts.permissions import money_gate
from opencity.core.redirects import is_safe_next


def _come_back_to(request) -> str:
    """Where the sudo prompt sends the person back: this page, or for a form post the page that had the form."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    return referer if is_safe_next(request, referer) else ""


def sudo_url(request) -> str:
    """The "confirm with your code" page, coming back here afterwards."""
    target = _come_back_to(request)
    return reverse("accounts:sudo") + (f"?{urlencode({'next': target})}" if target else "")


def sudo_redirect(request):
    """None when this request may move money; else where to send the person: their settings to turn
    two-factor on, or "confirm with your code" (then back here) when the sudo window has lapsed.
    Call it after the view's own permission check, so strangers still get their 403/404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    gate = money_gate(request.user)
    if gate == "off":
        messages.warning(request, _("Turn on two-factor authentication first: it is required before moving money."))
        return redirect(reverse("accounts:settings") + "#two-factor")
    if gate == "stale":
        return redirect(sudo_url(request))
    return None


def require_2fa(view_func):
    """Decorator form of `sudo_redirect` for views that any signed-in person may reach only to move money."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        return sudo_redirect(request) or view_func(request, *args, **kwargs)

    return wrapper
