"""Emails about applications and invitations; sent after commit by the services, each one rendered in
its recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


def _language(user) -> str:
    lang = getattr(user, "preferred_language", "") or ""
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _url(path: str, lang: str) -> str:
    prefix = "" if lang == settings.LANGUAGE_CODE else f"/{lang}"
    return f"{settings.SITE_URL}{prefix}{path}"


def _subject(event: str, name: str) -> str:
    subjects = {
        "application_received": _("New application to review: %(name)s"),
        "application_approved": _("%(name)s is approved and live"),
        "application_rejected": _("Your application for %(name)s was not accepted"),
    }
    return subjects[event] % {"name": name}


def send(event: str, application) -> None:
    """`application_received` goes to the host's admins; the decision goes to the collective's admins."""
    collective = application.collective
    host = application.host
    if event == "application_received":
        recipients = list(host.admins.all())
        path = f"/{host.slug}/admin/applications"
    else:
        recipients = list(collective.admins.all())
        path = f"/{collective.slug}/"
    for user in recipients:
        lang = _language(user)
        with translation.override(lang):
            body = render_to_string(
                f"hosting/email/{event}.txt",
                {
                    "application": application,
                    "collective": collective,
                    "host": host,
                    "recipient": user,
                    "url": _url(path, lang),
                    "SITE_URL": settings.SITE_URL,
                },
            )
            send_mail(_subject(event, collective.name), body, None, [user.email])


def send_invitation(invitation) -> None:
    """The invitee may have no account yet: the email is in the inviter's language."""
    lang = _language(invitation.invited_by)
    with translation.override(lang):
        subject = _("You are invited to co-organise %(name)s") % {"name": invitation.collective.name}
        body = render_to_string(
            "hosting/email/invitation.txt",
            {
                "invitation": invitation,
                "collective": invitation.collective,
                "inviter": invitation.invited_by,
                "url": _url(f"/invitations/{invitation.token}", lang),
            },
        )
        send_mail(subject, body, None, [invitation.email])
