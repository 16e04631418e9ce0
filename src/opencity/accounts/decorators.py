from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from opencity.accounts.permissions import has_2fa


def require_2fa(view_func):
    """Only for users with two-factor authentication on; others are sent to their settings to turn it on."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_2fa(request.user):
            messages.warning(request, _("Turn on two-factor authentication first: it is required before moving money."))
            return redirect(reverse("accounts:settings") + "#two-factor")
        return view_func(request, *args, **kwargs)

    return wrapper
