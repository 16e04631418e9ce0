"""Mailings to consenting people: recipients written first (one row each, unique), then sent in the
background, throttled; a worker that dies mid-send is resumed by running the task again, and sends only
the rows nobody claimed."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.community import selectors
from opencity.community.access import access_log_write
from opencity.community.models import AccessLog, Mailing, MailingRecipient, Member
from opencity.core.errors import ValidationFailed

BATCH = 50


def mailing_create(*, host, by, subject: str, body: str, people: selectors.PeopleFilter, collective=None) -> Mailing:
    """Write the mailing and its recipients (consenting people only, whatever the filter says), then queue it."""
    from opencity.community.tasks import send_mailing

    subject, body = " ".join((subject or "").split())[:200], (body or "").strip()
    if not subject or not body:
        raise ValidationFailed(_("Write a subject and a message."), code="invalid_message")
    people.consent = "yes"
    with transaction.atomic():
        mailing = Mailing.objects.create(
            host=host, collective=collective, subject=subject, body=body, filters=people.as_dict(), created_by=by
        )
        person_ids = list(
            selectors.members(host, people, collective=collective).values_list("person_id", flat=True).distinct()
        )
        MailingRecipient.objects.bulk_create(
            [MailingRecipient(mailing=mailing, person_id=pid) for pid in person_ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
        mailing.recipients_count = len(person_ids)
        mailing.save(update_fields=["recipients_count"])
        access_log_write(host=host, by=by, person_ids=person_ids, action=AccessLog.Action.MAILING)
        transaction.on_commit(lambda: send_mailing.enqueue(mailing_id=mailing.pk))
    return mailing


def _claim(mailing: Mailing) -> list[MailingRecipient]:
    """Claim the next batch: PENDING → SENDING under the database's guard, so two workers never share a row."""
    with transaction.atomic():
        ids = list(
            MailingRecipient.objects.filter(mailing=mailing, status=MailingRecipient.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        claimed = []
        for pk in ids:
            if MailingRecipient.objects.filter(pk=pk, status=MailingRecipient.Status.PENDING).update(
                status=MailingRecipient.Status.SENDING
            ):
                claimed.append(pk)
    return list(MailingRecipient.objects.filter(pk__in=claimed).select_related("person__user").order_by("pk"))


def mailing_send(*, mailing_id: int, limit: int | None = None, pause: float | None = None) -> int:
    """Send what is still pending (at most `limit`, for tests and throttling); returns how many were sent.

    A row is SENDING from its claim until its send is recorded: a crash in between leaves it SENDING and
    it is not sent again (at most once: a lost email is better than a double one); `mailing_resume`
    leaves such rows alone and counts them as skipped when the mailing finishes."""
    from opencity.community import emails

    mailing = Mailing.objects.select_related("host__profile").get(pk=mailing_id)
    pause = settings.COMMUNITY_MAIL_PAUSE if pause is None else pause
    Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.QUEUED).update(status=Mailing.Status.SENDING)
    sent = 0
    while limit is None or sent < limit:
        batch = _claim(mailing)
        if not batch:
            break
        for row in batch:
            if limit is not None and sent >= limit:
                MailingRecipient.objects.filter(pk=row.pk).update(status=MailingRecipient.Status.PENDING)
                continue
            still_consenting = Member.objects.filter(
                host=mailing.host, person=row.person, consenting=True, person__anonymised_at__isnull=True
            ).exists()
            if not still_consenting:
                MailingRecipient.objects.filter(pk=row.pk).update(status=MailingRecipient.Status.SKIPPED)
                Mailing.objects.filter(pk=mailing.pk).update(skipped_count=F("skipped_count") + 1)
                continue
            emails.send_to_person(person=row.person, host=mailing.host, subject=mailing.subject, body=mailing.body)
            MailingRecipient.objects.filter(pk=row.pk).update(
                status=MailingRecipient.Status.SENT, sent_at=timezone.now()
            )
            Mailing.objects.filter(pk=mailing.pk).update(sent_count=F("sent_count") + 1)
            sent += 1
            if pause:
                time.sleep(pause)
    if not MailingRecipient.objects.filter(mailing=mailing, status=MailingRecipient.Status.PENDING).exists():
        Mailing.objects.filter(pk=mailing.pk).exclude(status=Mailing.Status.SENT).update(
            status=Mailing.Status.SENT, finished_at=timezone.now()
        )
    return sent
