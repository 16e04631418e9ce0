import datetime as dt
import signal
from collections import Counter

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from opencity.community import tokens
from opencity.community.mailings import mailing_create, mailing_send
from opencity.community.models import Mailing, MailingRecipient, Member
from opencity.community.selectors import PeopleFilter
from tests.community.helpers import consent, register
from tests.conftest import make_collective, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(host, collective):
    yes = [make_user(f"yes{i}@example.org").person for i in range(5)]
    no = make_user("no@example.org").person
    for p in [*yes, no]:
        register(p, collective, "evt_1")
    for p in yes:
        consent(p, host)
    return yes, no


def test_mailing_goes_to_consenting_people_only_with_rfc8058_headers(host, people, django_capture_on_commit_callbacks):
    yes, no = people
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mailing = mailing_create(host=host, by=host.admins.first(), subject="News", body="Hello", people=PeopleFilter())
    mailing.refresh_from_db()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in yes)
    assert mailing.status == "sent" and mailing.sent_count == 5 and mailing.recipients_count == 5
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http") and "/people/unsubscribe/" in message.body
    assert "/people/me/" in message.body  # the link to their data


class WorkerDied(BaseException):
    """The worker process is killed: nothing of the task's code runs after this (no except/finally of ours)."""


@pytest.fixture
def db_queue(settings, monkeypatch):
    """The production task backend (a queue in the database) and one `opencity worker --batch` run that drains
    it, in this process (so the test's transaction and patches apply; it must not close our connection)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # reset by setting_changed
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run_worker():
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0, reload=False)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run_worker


def _time_passes():
    """The dead worker's lease runs out and the watchdog it enqueued comes due (instead of waiting minutes)."""
    from django_tasks_db.models import DBTaskResult

    past = timezone.now() - dt.timedelta(seconds=1)
    Mailing.objects.update(lease_until=past)
    DBTaskResult.objects.filter(status="READY").update(run_after=past)


def _queued_mailing(host, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued (not run: a real queue)
        return mailing_create(host=host, by=None, subject="News", body="Hello", people=PeopleFilter())


def _received(yes) -> dict[str, int]:
    got = Counter(m.to[0] for m in mail.outbox)
    return {p.email: got[p.email] for p in yes}


def test_a_worker_killed_after_k_sends_is_resumed_by_the_next_worker_run(
    host, people, db_queue, settings, monkeypatch, django_capture_on_commit_callbacks
):
    yes, _ = people
    settings.COMMUNITY_MAIL_PAUSE = 0.001  # the throttle's pause between two messages: where the kill lands
    mailing = _queued_mailing(host, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    pauses = []

    def killed_after_two(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            raise WorkerDied

    monkeypatch.setattr("opencity.community.mailings.time.sleep", killed_after_two)
    db_queue()  # the worker sends two, then dies
    assert len(mail.outbox) == 2
    mailing.refresh_from_db()
    assert mailing.status == "sending" and mailing.sent_count == 2
    monkeypatch.setattr("opencity.community.mailings.time.sleep", lambda s: None)
    db_queue()  # a worker run before the lease ran out: nothing happens (the dead one might be alive)
    assert len(mail.outbox) == 2
    _time_passes()
    db_queue()  # the next worker run: the watchdog takes over, nobody restarts anything by hand
    assert _received(yes) == {p.email: 1 for p in yes}
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.skipped_count, mailing.unknown_count) == ("sent", 5, 0, 0)
    assert mailing.finished_at and not mailing.lease_token
    _time_passes()
    db_queue()  # leftover watchdogs find the mailing sent
    assert len(mail.outbox) == 5


def test_a_worker_killed_between_smtp_and_commit_never_sends_that_message_again(
    host, people, db_queue, monkeypatch, django_capture_on_commit_callbacks
):
    """The window where the mail server accepted a message but its SENT marker was not committed: the row was
    committed SENDING before the SMTP call, so the next holder counts it `unknown` instead of sending it again."""
    from opencity.community import emails

    yes, _ = people
    mailing = _queued_mailing(host, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    real = emails.send_to_person
    calls = []

    def accepted_then_killed(**kwargs):
        calls.append(kwargs["person"].email)
        n = real(**kwargs)
        if len(calls) == 3:
            raise WorkerDied  # after the SMTP server took message 3, before we recorded it
        return n

    monkeypatch.setattr(emails, "send_to_person", accepted_then_killed)
    db_queue()
    _time_passes()
    db_queue()
    assert _received(yes) == {p.email: 1 for p in yes}
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.unknown_count) == ("sent", 4, 1)
    row = MailingRecipient.objects.get(mailing=mailing, status="unknown")
    assert row.person.email == calls[2]


def test_a_refused_send_is_retried_by_the_watchdog_once(
    host, people, db_queue, monkeypatch, django_capture_on_commit_callbacks
):
    """An SMTP error (nothing accepted) fails the run; the row goes back to pending and is sent later, once.
    An address the server refuses is skipped and counted, so it cannot hold the mailing back."""
    import smtplib

    from opencity.community import emails

    yes, _ = people
    mailing = _queued_mailing(host, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    real, calls = emails.send_to_person, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        if kwargs["person"] == yes[4]:
            raise smtplib.SMTPRecipientsRefused({yes[4].email: (550, b"no such user")})
        return real(**kwargs)

    monkeypatch.setattr(emails, "send_to_person", flaky)
    db_queue()
    assert len(mail.outbox) == 1
    _time_passes()
    db_queue()
    assert _received(yes) == {p.email: int(p != yes[4]) for p in yes}  # a refused address does not block the rest
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.skipped_count, mailing.unknown_count) == ("sent", 4, 1, 0)


def test_two_workers_on_one_mailing_never_share_a_recipient(host, people):
    yes, _ = people
    mailing = mailing_create(host=host, by=None, subject="News", body="Hello", people=PeopleFilter())
    mail.outbox.clear()
    assert mailing_send(mailing_id=mailing.pk, limit=2, pause=0) == 2  # stops early, releases its lease
    Mailing.objects.filter(pk=mailing.pk).update(
        lease_token="someone-else", lease_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert mailing_send(mailing_id=mailing.pk, pause=0) == 0  # a live lease: the second worker waits
    Mailing.objects.filter(pk=mailing.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert mailing_send(mailing_id=mailing.pk, pause=0) == 3
    assert mailing_send(mailing_id=mailing.pk, pause=0) == 0
    assert _received(yes) == {p.email: 1 for p in yes}
    assert MailingRecipient.objects.filter(mailing=mailing).count() == 5  # one row per person, unique


def test_consent_withdrawn_after_queueing_is_respected(host, people):
    yes, _ = people
    mailing = mailing_create(host=host, by=None, subject="News", body="Hello", people=PeopleFilter())
    MailingRecipient.objects.filter(mailing=mailing).update(status="pending")
    Member.objects.filter(person=yes[0]).update(consenting=False)
    mail.outbox.clear()
    mailing_send(mailing_id=mailing.pk, pause=0)
    assert yes[0].email not in [m.to[0] for m in mail.outbox]


def test_one_click_unsubscribe_works_without_login_and_cannot_be_forged(client, host, people):
    yes, _ = people
    victim, attacker = yes[0], yes[1]
    url = tokens.unsubscribe_url(attacker, host)
    path = url[url.index("/people/") :]
    token = path.rsplit("/", 1)[1]
    # forged: the attacker edits their own token to name the victim, or signs their own
    payload, rest = token.split(":", 1)
    swapped = signing.b64_encode(
        signing.b64_decode(payload.encode()).replace(attacker.public_id.encode(), victim.public_id.encode())
    ).decode()
    assert swapped != payload
    forged = [
        f"/people/unsubscribe/{swapped}:{rest}",
        "/people/unsubscribe/" + token[:-2] + ("aa" if not token.endswith("aa") else "bb"),
        "/people/unsubscribe/" + signing.dumps([victim.public_id, host.pk]),
    ]
    for f in forged:
        assert client.post(f).status_code == 404
    assert Member.objects.get(person=victim, host=host).consenting
    # the real link, one click (RFC 8058 POST, no session, no CSRF token)
    csrf_client = client.__class__(enforce_csrf_checks=True)
    assert csrf_client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Member.objects.get(person=attacker, host=host).consenting
    assert Member.objects.get(person=victim, host=host).consenting
    assert client.get(path).status_code == 200  # a page with a button; GET changes nothing


def test_collective_admins_mail_their_own_consenting_people_only(
    client, host, collective, people, django_capture_on_commit_callbacks
):
    other = make_collective(host)
    outsider = make_user("outsider@example.org").person
    register(outsider, other, "evt_2")
    consent(outsider, host)
    client.force_login(collective.admins.first())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{collective.slug}/community/mail", {"subject": "Hi", "body": "News"})
    assert "outsider@example.org" not in [m.to[0] for m in mail.outbox]
    assert len(mail.outbox) == 5
    client.force_login(other.admins.first())
    assert client.post(f"/{collective.slug}/community/mail", {"subject": "Hi", "body": "x"}).status_code == 403
