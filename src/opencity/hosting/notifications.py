"""Emails about applications; sent after commit by the services."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


def send(event: str, application) -> None:
    collective = application.collective
    if event == "application_received":
        recipients = [u.email for u in application.host.admins.all()]
        lang = None
    else:
        recipients = [u.email for u in collective.admins.all()]
        lang = getattr(application.applied_by, "preferred_language", "") or None
    if not recipients:
        return
    with translation.override(lang or translation.get_language() or "en"):
        subjects = {
            "application_received": _("New application: %(name)s"),
            "application_approved": _("%(name)s is approved and live"),
            "application_rejected": _("Your application for %(name)s was not accepted"),
        }
        subject = subjects[event] % {"name": collective.name}
        body = render_to_string(
            f"hosting/email/{event}.txt",
            {"application": application, "collective": collective, "SITE_URL": settings.SITE_URL},
        )
    send_mail(subject, body, None, recipients)
