"""The one layer that says whether the current request passed the second factor.

Pages: the session remembers when its user passed TOTP (or a recovery code) — at login or at the
"confirm with your code" prompt — and `SecondFactorMiddleware` writes it on `request.user` as
`otp_verified_at`, which `permissions.has_2fa` reads; services receive `by=request.user` and see it.
API: session cookies are ignored (tokens only); a money call carries a fresh code in `X-OpenCity-OTP`,
verified for that request only (`api.auth`).
"""

import time

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.middleware import get_user
from django.contrib.auth.models import AnonymousUser
from django.dispatch import receiver
from django.http import JsonResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from opencity.accounts.permissions import otp_fresh

SESSION_KEY = "accounts_otp_verified"
API_PREFIX = "/api/"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def mark_verified(request, user) -> None:
    """This request's user just passed the second factor: remember it in the session and on the user."""
    now = time.time()
    user.otp_verified_at = now
    if getattr(request, "user", None) is not None and request.user is not user:
        request.user.otp_verified_at = now
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = {"u": user.pk, "at": now}


def _from_session(request, user) -> None:
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if isinstance(data, dict) and user.is_authenticated and data.get("u") == user.pk:
        try:
            user.otp_verified_at = float(data.get("at"))
        except (TypeError, ValueError):
            pass


@receiver(user_logged_in, dispatch_uid="opencity.accounts.otp.on_login")
def _on_login(sender, request, user, **kwargs) -> None:
    """A login that carries a just-passed second factor (the login flow sets it) starts a verified session."""
    if request is not None and otp_fresh(user) and hasattr(request, "session"):
        request.session[SESSION_KEY] = {"u": user.pk, "at": float(user.otp_verified_at)}


def _token_only_refusal():
    return JsonResponse(
        {
            "code": "token_required",
            "message": _(
                "The API authenticates with a personal API token only (Authorization: Bearer …); "
                "session cookies are ignored."
            ),
        },
        status=401,
    )


class SecondFactorMiddleware:
    """After AuthenticationMiddleware. Pages: the user carries the session's `otp_verified_at`.
    /api/: the cookie session is no identity (the token sets the user), and a write that carries a session
    cookie but no Authorization header is refused (a cross-site form or text/plain POST)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            request.user = AnonymousUser()
            if (
                request.method not in SAFE_METHODS
                and settings.SESSION_COOKIE_NAME in request.COOKIES
                and not request.headers.get("Authorization")
            ):
                return _token_only_refusal()
        else:
            request.user = SimpleLazyObject(lambda: _user(request))
        return self.get_response(request)


def _user(request):
    user = get_user(request)
    _from_session(request, user)
    return user
