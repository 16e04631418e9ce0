"""Bearer personal API tokens. Reading public data needs none; writes need one."""

from django.utils import timezone
from ninja.security import HttpBearer

from opencity.accounts.models import ApiToken


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
            request.user = user
        return user


class _Anonymous:
    """Truthy marker so ninja lets anonymous callers through; request.user stays AnonymousUser."""

    def __bool__(self) -> bool:
        return True


token_auth = TokenAuth()
optional_auth = OptionalTokenAuth()
