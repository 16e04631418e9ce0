"""Signed links for people without a login: unforgeable, bound to one person (and one host), some expiring."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONSENT_SALT = "opencity.community.consent"
UNSUBSCRIBE_SALT = "opencity.community.unsubscribe"
DATA_SALT = "opencity.community.your-data"
SIGNUP_SALT = "opencity.community.signup"
DATA_LINK_MAX_AGE = 14 * 24 * 3600
CONSENT_MAX_AGE = 30 * 24 * 3600


def make(salt: str, *values) -> str:
    return signing.dumps(list(values), salt=salt, compress=False)


def read(salt: str, token: str, *, max_age: int | None = None) -> list | None:
    """The signed values, or None when the token was forged, edited or expired."""
    if not token or len(token) > 400:
        return None
    try:
        values = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return values if isinstance(values, list) else None


def _url(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def your_data_url(person) -> str:
    return _url("community:your_data", make(DATA_SALT, person.public_id, person.email.lower()))


def unsubscribe_url(person, host) -> str:
    return _url("community:unsubscribe", make(UNSUBSCRIBE_SALT, person.public_id, host.pk))


def consent_confirm_url(consent) -> str:
    return _url("community:consent_confirm", make(CONSENT_SALT, consent.pk, consent.person.email.lower()))


def signup_confirm_url(signup) -> str:
    return _url("community:signup_confirm", make(SIGNUP_SALT, signup.public_id, signup.email.lower()))
