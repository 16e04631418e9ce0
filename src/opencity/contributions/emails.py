"""Emails to contributors, rendered in their language. Sent from tasks, after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opencity.contributions.models import Contribution, RecurringContribution
from opencity.contributions.receipts import receipt_pdf


def _language(person, fallback: str = "") -> str:
    lang = fallback or person.language or (person.user.preferred_language if person.user_id else "") or "en"
    return lang if lang in dict(settings.LANGUAGES) else "en"


def cancel_url(recurring: RecurringContribution) -> str:
    return settings.SITE_URL + reverse("contributions:recurring_cancel_token", args=[recurring.cancel_token])


def confirm_url(contribution: Contribution) -> str:
    """The signed "this was me" link, in the active language (the receipt's)."""
    from opencity.contributions.identity import identity_confirm_token

    token = identity_confirm_token(contribution)
    return settings.SITE_URL + reverse("contributions:confirm_identity", args=[contribution.public_id, token])


def send_receipt(contribution: Contribution) -> int:
    c = contribution
    # An unverified gift's receipt goes to the email's owner, who may not be the giver: in the owner's language.
    lang = _language(c.person, c.language if c.identity_verified else "")
    with translation.override(lang):
        context = {
            "contribution": c,
            "collective": c.collective,
            "host": c.collective.host,
            "cancel_url": cancel_url(c.recurring) if c.recurring_id else "",
            "confirm_url": "" if c.identity_verified else confirm_url(c),
            "SITE_URL": settings.SITE_URL,
        }
        subject = _("Your receipt %(number)s — %(collective)s") % {
            "number": c.receipt_number,
            "collective": c.collective.name,
        }
        body = render_to_string("contributions/email/receipt.txt", context)
        pdf = receipt_pdf(c)
    message = EmailMessage(subject=subject, body=body, to=[c.person.email])
    message.attach(f"receipt-{c.receipt_number}.pdf", pdf, "application/pdf")
    return message.send()


def send_past_due(recurring: RecurringContribution) -> int:
    r = recurring
    with translation.override(_language(r.person)):
        grace = r.collective.host.membership_grace_days
        subject = _("Your membership of %(collective)s could not be renewed") % {"collective": r.collective.name}
        body = render_to_string(
            "contributions/email/past_due.txt",
            {"recurring": r, "collective": r.collective, "grace_days": grace, "cancel_url": cancel_url(r)},
        )
    return EmailMessage(subject=subject, body=body, to=[r.person.email]).send()


def send_cancelled(recurring: RecurringContribution) -> int:
    r = recurring
    with translation.override(_language(r.person)):
        subject = _("Your membership of %(collective)s has ended") % {"collective": r.collective.name}
        body = render_to_string("contributions/email/cancelled.txt", {"recurring": r, "collective": r.collective})
    return EmailMessage(subject=subject, body=body, to=[r.person.email]).send()


def send_refund_blocked(contribution: Contribution, event_type: str) -> int:
    """To the host admins: Stripe gave money back that the collective has already spent."""
    c = contribution
    sent = 0
    for admin in c.collective.host.admins.all():
        lang = admin.preferred_language if admin.preferred_language in dict(settings.LANGUAGES) else "en"
        with translation.override(lang):
            subject = _("Refund not recorded: %(collective)s has spent the money") % {"collective": c.collective.name}
            body = render_to_string(
                "contributions/email/refund_blocked.txt",
                {
                    "contribution": c,
                    "collective": c.collective,
                    "event_type": event_type,
                    "SITE_URL": settings.SITE_URL,
                },
            )
        sent += EmailMessage(subject=subject, body=body, to=[admin.email]).send()
    return sent
