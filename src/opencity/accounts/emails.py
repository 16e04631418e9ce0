"""Account emails, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


def confirmation_url(user) -> str:
    """`<SITE_URL>/accounts/confirm/<token>/`, without a language prefix (a stable contract)."""
    from opencity.accounts.services import confirmation_token_make

    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("accounts:confirm", kwargs={"token": confirmation_token_make(user)})
    return settings.SITE_URL + path


def send_confirmation(user) -> None:
    url = confirmation_url(user)
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Confirm your email address for OpenCity")
        body = render_to_string(
            "accounts/email/confirm.txt",
            {"user": user, "url": url, "SITE_URL": settings.SITE_URL, "days": _max_age_days()},
        )
    send_mail(subject, body, None, [user.email])


def _max_age_days() -> int:
    from opencity.accounts.services import confirmation_max_age

    return max(1, confirmation_max_age() // 86400)


def send_signup_notice(user) -> None:
    """Someone tried to create an account with this address; the page they saw said nothing about it."""
    with translation.override(settings.LANGUAGE_CODE):
        login_url = settings.SITE_URL + reverse("accounts:login")
        reset_url = settings.SITE_URL + reverse("accounts:password_reset")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Someone tried to sign up to OpenCity with your email address")
        body = render_to_string(
            "accounts/email/signup_exists.txt",
            {"user": user, "login_url": login_url, "reset_url": reset_url, "SITE_URL": settings.SITE_URL},
        )
    send_mail(subject, body, None, [user.email])
