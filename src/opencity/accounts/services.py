import secrets

from opencity.accounts.models import ApiToken


def api_token_create(*, user, name: str = "") -> str:
    """Create a personal API token and return it; only its hash is kept, so it is shown once."""
    raw = "oc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], digest=ApiToken.hash(raw))
    return raw
