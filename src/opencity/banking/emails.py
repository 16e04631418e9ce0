"""Emails about bank transfers, in the contributor's language. Sent from tasks, after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opencity.contributions.models import Contribution, RecurringContribution


def _language(person, fallback: str = "") -> str:
    lang = fallback or person.language or (person.user.preferred_language if person.user_id else "") or "en"
    return lang if lang in dict(settings.LANGUAGES) else "en"


def send(*, kind: str, contribution_id: int | None = None, recurring_id: int | None = None) -> int:
    if contribution_id is not None:
        c = Contribution.objects.select_related("collective__host", "person__user").get(pk=contribution_id)
        return {"instructions": send_instructions, "expired": send_expired}[kind](c)
    r = RecurringContribution.objects.select_related("collective__host", "person__user").get(pk=recurring_id)
    return {"standing_order_missed": send_missed, "lapsed": send_lapsed}[kind](r)


def send_instructions(c: Contribution) -> int:
    from opencity.banking import instructions

    info = instructions.transfer_instructions(c)
    if not info or c.status != Contribution.Status.PENDING:
        return 0
    with translation.override(_language(c.person, c.language)):
        subject = _("How to pay your contribution to %(collective)s by bank transfer") % {
            "collective": c.collective.name
        }
        body = render_to_string(
            "banking/email/instructions.txt",
            {
                "contribution": c,
                "collective": c.collective,
                "info": info,
                "days": c.collective.host.bank_transfer_expiry_days,
                "page_url": settings.SITE_URL + reverse("contributions:thanks", args=[c.public_id]),
            },
        )
    message = EmailMessage(subject=subject, body=body, to=[c.person.email])
    qr = instructions.epc_qr(
        name=info["beneficiary"],
        iban=info["iban"],
        bic=info["bic"],
        amount=info["amount"],
        reference="".join(ch for ch in info["communication"] if ch.isdigit()),
    )
    message.attach("transfer-qr.png", instructions.qr_png(qr), "image/png")
    return message.send()


def send_expired(c: Contribution) -> int:
    with translation.override(_language(c.person, c.language)):
        subject = _("Your bank transfer to %(collective)s did not arrive") % {"collective": c.collective.name}
        body = render_to_string(
            "banking/email/expired.txt",
            {
                "contribution": c,
                "collective": c.collective,
                "contribute_url": settings.SITE_URL + reverse("contributions:checkout", args=[c.collective.slug]),
            },
        )
    return EmailMessage(subject=subject, body=body, to=[c.person.email]).send()


def send_missed(r: RecurringContribution) -> int:
    with translation.override(_language(r.person)):
        subject = _("Your standing order for %(collective)s seems to have stopped") % {"collective": r.collective.name}
        body = render_to_string("banking/email/missed.txt", {"recurring": r, "collective": r.collective})
    return EmailMessage(subject=subject, body=body, to=[r.person.email]).send()


def send_lapsed(r: RecurringContribution) -> int:
    with translation.override(_language(r.person)):
        subject = _("Your membership of %(collective)s has ended") % {"collective": r.collective.name}
        body = render_to_string("banking/email/lapsed.txt", {"recurring": r, "collective": r.collective})
    return EmailMessage(subject=subject, body=body, to=[r.person.email]).send()
