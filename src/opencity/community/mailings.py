"""Mailings to consenting people: recipients written first (one row each, unique), then sent in the
background, throttled, under a lease, so a worker that dies mid-send is replaced without anyone's help and
nobody gets the same mailing twice.

How a send goes (`mailing_send`):

* The worker takes the mailing's lease (`lease_token`, `lease_until`, renewed before every message) and
  enqueues a deferred run of the same task for just after the lease would expire: the watchdog. If the
  worker dies (killed, crash, SMTP exception), the next worker run executes the watchdog, which finds the
  lease expired, takes it over and goes on. If the worker is alive, the watchdog re-arms itself; once the
  mailing is sent it does nothing.
* Per recipient: PENDING → SENDING is committed (under the lease) *before* the SMTP call, SENDING → SENT and
  the count are committed together right after it. A new holder never sends a SENDING row again: the
  SMTP-accepted-but-not-recorded window is thus bounded to at most one recipient per dead worker (a worker
  sends one message at a time), who is counted as `unknown` (perhaps received, never twice) rather than
  risk a second copy.
"""

from __future__ import annotations

import datetime as dt
import secrets
import smtplib
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.community import selectors
from opencity.community.access import access_log_write
from opencity.community.models import AccessLog, Mailing, MailingRecipient, Member, Opportunity
from opencity.core.errors import ValidationFailed

BATCH = 50
R = MailingRecipient.Status


def mailing_create(
    *, host, by, subject: str, body: str, people: selectors.PeopleFilter, collective=None, opportunity=None
) -> Mailing:
    """Write the mailing and its recipients (consenting people only, whatever the filter says), then queue it.
    For a suggested `opportunity`, people already told about it or signed up for it are left out."""
    from opencity.community.tasks import send_mailing

    subject, body = " ".join((subject or "").split())[:200], (body or "").strip()
    if not subject or not body:
        raise ValidationFailed(_("Write a subject and a message."), code="invalid_message")
    people.consent = "yes"
    with transaction.atomic():
        if opportunity is not None:  # two admins suggesting at once: the second sees the first's recipients
            Opportunity.objects.select_for_update().filter(pk=opportunity.pk).first()
        mailing = Mailing.objects.create(
            host=host,
            collective=collective,
            opportunity=opportunity,
            subject=subject,
            body=body,
            filters=people.as_dict(),
            created_by=by,
        )
        chosen = selectors.members(host, people, collective=collective)
        if opportunity is not None:
            chosen = chosen.exclude(
                person_id__in=MailingRecipient.objects.filter(mailing__opportunity=opportunity).values("person_id")
            ).exclude(person_id__in=opportunity.signups.values("person_id"))
        person_ids = list(chosen.values_list("person_id", flat=True).distinct())
        if opportunity is not None and not person_ids:
            raise ValidationFailed(
                _("Everyone who agreed to hear from us and has these skills was already told."), code="nobody_new"
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


def _lease_seconds() -> float:
    return settings.COMMUNITY_MAIL_LEASE


def _watch(mailing_id: int, at: dt.datetime) -> None:
    """Enqueue the watchdog: the same task, deferred to just after `at` (backends that cannot defer —
    the immediate one of tests and `DEMO` — have no dying workers to watch)."""
    from opencity.community.tasks import send_mailing

    if send_mailing.get_backend().supports_defer:
        send_mailing.using(run_after=at + dt.timedelta(seconds=5)).enqueue(mailing_id=mailing_id)


def _acquire(mailing_id: int, token: str) -> bool:
    """Take the lease if nobody holds a live one; a previous holder's SENDING rows become `unknown`."""
    now = timezone.now()
    with transaction.atomic():
        taken = (
            Mailing.objects.filter(pk=mailing_id, status__in=[Mailing.Status.QUEUED, Mailing.Status.SENDING])
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .update(
                status=Mailing.Status.SENDING,
                lease_token=token,
                lease_until=now + dt.timedelta(seconds=_lease_seconds()),
            )
        )
        if taken:
            lost = MailingRecipient.objects.filter(mailing_id=mailing_id, status=R.SENDING).update(status=R.UNKNOWN)
            if lost:
                Mailing.objects.filter(pk=mailing_id).update(unknown_count=F("unknown_count") + lost)
    return bool(taken)


def _claim(mailing_id: int, token: str, row_id: int) -> bool:
    """Renew the lease and mark one row SENDING, committed before its message goes out; False when the lease
    was lost (another worker took over) or the row was taken."""
    now = timezone.now()
    with transaction.atomic():
        held = Mailing.objects.filter(pk=mailing_id, lease_token=token, lease_until__gt=now).update(
            lease_until=now + dt.timedelta(seconds=_lease_seconds())
        )
        if not held:
            raise _LeaseLost
        return bool(MailingRecipient.objects.filter(pk=row_id, status=R.PENDING).update(status=R.SENDING, sent_at=now))


class _LeaseLost(Exception):
    pass


def _finish(row_id: int, mailing_id: int, status: str) -> None:
    counter = "sent_count" if status == R.SENT else "skipped_count"
    with transaction.atomic():
        if MailingRecipient.objects.filter(pk=row_id, status=R.SENDING).update(status=status, sent_at=timezone.now()):
            Mailing.objects.filter(pk=mailing_id).update(**{counter: F(counter) + 1})


def mailing_send(*, mailing_id: int, limit: int | None = None, pause: float | None = None) -> int:
    """Send what is still pending (at most `limit`); returns how many were sent by this run. Safe to run
    any number of times, concurrently or after a crash: see the module's docstring."""
    from opencity.community import emails

    mailing = Mailing.objects.select_related("host__profile").get(pk=mailing_id)
    if mailing.status == Mailing.Status.SENT:
        return 0
    pause = settings.COMMUNITY_MAIL_PAUSE if pause is None else pause
    token = secrets.token_hex(16)
    if not _acquire(mailing_id, token):
        mailing.refresh_from_db(fields=["status", "lease_until"])
        if mailing.status != Mailing.Status.SENT and mailing.lease_until:
            _watch(mailing_id, mailing.lease_until)  # someone is on it: look again when their lease ends
        return 0
    _watch(mailing_id, timezone.now() + dt.timedelta(seconds=_lease_seconds()))
    sent = 0
    try:
        while limit is None or sent < limit:
            ids = list(
                MailingRecipient.objects.filter(mailing_id=mailing_id, status=R.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            for row_id in ids:
                if limit is not None and sent >= limit:
                    break
                if not _claim(mailing_id, token, row_id):
                    continue
                row = MailingRecipient.objects.select_related("person__user").get(pk=row_id)
                still_consenting = Member.objects.filter(
                    host=mailing.host, person=row.person, consenting=True, person__anonymised_at__isnull=True
                ).exists()
                if not still_consenting:
                    _finish(row_id, mailing_id, R.SKIPPED)
                    continue
                try:
                    emails.send_to_person(
                        person=row.person, host=mailing.host, subject=mailing.subject, body=mailing.body
                    )
                except smtplib.SMTPRecipientsRefused:  # this address only: skip it, go on with the others
                    _finish(row_id, mailing_id, R.SKIPPED)
                    continue
                except Exception:
                    # Refused before acceptance: nobody received it, so it may be tried again (by the watchdog).
                    MailingRecipient.objects.filter(pk=row_id, status=R.SENDING).update(status=R.PENDING)
                    raise
                _finish(row_id, mailing_id, R.SENT)
                sent += 1
                if pause:
                    time.sleep(pause)
    except _LeaseLost:
        return sent
    done = not MailingRecipient.objects.filter(mailing_id=mailing_id, status__in=[R.PENDING, R.SENDING]).exists()
    release = {"lease_until": None, "lease_token": ""}
    if done:
        release.update(status=Mailing.Status.SENT, finished_at=timezone.now())
    Mailing.objects.filter(pk=mailing_id, lease_token=token).update(**release)
    return sent
