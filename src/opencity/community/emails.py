"""Emails of the community database, each rendered in the reader's language, each with a link to their data."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from opencity.community import tokens


def language_of(person) -> str:
    lang = person.language or (person.user.preferred_language if person.user_id else "") or "en"
    return lang if lang in dict(settings.LANGUAGES) else "en"


def _footer(person) -> str:
    return "\n\n--\n" + _("See, download or erase what we hold about you: %(url)s") % {
        "url": tokens.your_data_url(person)
    }


def send_consent_confirmation(consent_id: int) -> int:
    from opencity.community.models import Consent

    consent = Consent.objects.select_related("person__user", "host__profile").get(pk=consent_id)
    person = consent.person
    with translation.override(consent.language or language_of(person)):
        subject = _("Confirm that %(host)s may keep you informed") % {"host": consent.host.name}
        body = (
            _("You (or someone typing your address) asked:")
            + f"\n\n  “{consent.wording}”\n\n"
            + _("To confirm, open this link. If it was not you, ignore this email: nothing happens.")
            + "\n"
            + tokens.consent_confirm_url(consent)
            + _footer(person)
        )
    return EmailMessage(subject=subject, body=body, to=[person.email]).send()


def send_data_link(person) -> int:
    with translation.override(language_of(person)):
        subject = _("Your data at OpenCity")
        body = _("Open this link to see, download or erase what we hold about you (valid for 14 days):") + (
            "\n" + tokens.your_data_url(person)
        )
    return EmailMessage(subject=subject, body=body, to=[person.email]).send()


def send_signup_confirmation(signup) -> int:
    with translation.override(signup.language or "en"):
        subject = _("Confirm your sign-up: %(title)s") % {"title": signup.opportunity.title}
        body = (
            _("Open this link to confirm that you want to volunteer. If it was not you, ignore this email.")
            + "\n"
            + tokens.signup_confirm_url(signup)
        )
    return EmailMessage(subject=subject, body=body, to=[signup.email]).send()


def send_signup_decision(signup_id: int) -> int:
    """The organisers confirmed or declined a sign-up: told in the volunteer's language."""
    from django.urls import reverse

    from opencity.community.models import SignUp

    signup = SignUp.objects.select_related("person__user", "opportunity__host__profile", "opportunity__collective").get(
        pk=signup_id
    )
    o, person = signup.opportunity, signup.person
    if person.anonymised_at:
        return 0
    organisers = o.collective.name if o.collective_id else o.host.name
    with translation.override(signup.language or language_of(person)):
        title = _("Write a story") if o.standing == "story" else o.title
        if signup.status == SignUp.Status.CONFIRMED:
            subject = _("You are confirmed: %(title)s") % {"title": title}
            body = _("%(organisers)s confirmed your sign-up. Thank you! They will write to you with the details.") % {
                "organisers": organisers
            }
            if o.standing == "story":
                body += "\n\n" + _(
                    "You can now write: open a collective's updates page and choose “Write a story”. "
                    "The stories of %(host)s: %(url)s"
                ) % {
                    "host": o.host.name,
                    "url": settings.SITE_URL + reverse("stories:host_stories", args=[o.host.slug]),
                }
                if not person.user_id:
                    body += "\n" + _("First create an account with this email address: %(url)s") % {
                        "url": settings.SITE_URL + reverse("accounts:signup")
                    }
        else:
            subject = _("About your sign-up: %(title)s") % {"title": title}
            body = _("%(organisers)s cannot take you on this time. Thank you for offering your help!") % {
                "organisers": organisers
            }
        body += "\n" + settings.SITE_URL + reverse("community:opportunity", args=[o.public_id]) + _footer(person)
    return EmailMessage(subject=subject, body=body, to=[signup.email]).send()


def send_to_person(*, person, host, subject: str, body: str, reply_to: str = "") -> int:
    """A message written by an admin, with the RFC 8058 one-click unsubscribe headers and the data link."""
    unsubscribe = tokens.unsubscribe_url(person, host)
    with translation.override(language_of(person)):
        text = body + "\n\n--\n" + _("Stop receiving these emails: %(url)s") % {"url": unsubscribe}
        text += _footer(person)
    message = EmailMessage(
        subject=subject,
        body=text,
        to=[person.email],
        reply_to=[reply_to] if reply_to else None,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    return message.send()
