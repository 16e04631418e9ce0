"""Reads about accounts shared by pages, API and commands."""

from django.db.models import F

from opencity.accounts.models import ApiToken, User


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def api_tokens_for(user) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones last."""
    return list(
        ApiToken.objects.filter(user=user).order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )
