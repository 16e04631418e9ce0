"""Bearer personal API tokens. Reading public data needs none; writes need one.

A token is not a second factor: a money operation (pay, payout files, added funds, gifts, refunds) also
needs a current TOTP code of the token's owner in the `X-OpenCity-OTP` header. The code is checked for
that request only and each code is accepted once (it cannot be replayed, not even at the login page);
wrong codes count against the owner's two-factor rate limit. Session cookies are never an identity here
(opencity.accounts.otp.SecondFactorMiddleware).
"""

import time

from django.utils import timezone
from ninja.security import HttpBearer

from opencity.accounts import rate_limits
from opencity.accounts import services as accounts
from opencity.accounts.models import ApiToken

OTP_HEADER = "X-OpenCity-OTP"


def _second_factor(request, user) -> None:
    code = request.headers.get(OTP_HEADER, "").strip()
    if not code or not user.totp_enabled:
        return
    from opencity.accounts.views import client_ip

    ip = client_ip(request)
    if rate_limits.second_factor_is_limited(email=user.email, ip=ip):
        return
    if accounts.totp_verify(user=user, code=code):
        user.otp_verified_at = time.time()
    else:
        rate_limits.second_factor_failure_record(email=user.email, ip=ip)


def user_for_token(raw: str):
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            _second_factor(request, user)
            request.user = user
        return user


class OptionalTokenAuth(HttpBearer):
    """Public endpoints: anonymous is fine, but a valid token makes the caller known (admins see more)."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return _Anonymous()
        return super().__call__(request)

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            _second_factor(request, user)
            request.user = user
        return user


class _Anonymous:
    """Truthy marker so ninja lets anonymous callers through; request.user stays AnonymousUser."""

    def __bool__(self) -> bool:
        return True


token_auth = TokenAuth()
optional_auth = OptionalTokenAuth()
