import pytest
from django.core import mail, signing

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


def test_a_resumed_mailing_sends_nobody_twice(host, people):
    yes, _ = people
    mailing = mailing_create(host=host, by=None, subject="News", body="Hello", people=PeopleFilter())
    # The immediate backend ran it already in a committed world; start again from a fresh, half-sent state.
    MailingRecipient.objects.filter(mailing=mailing).update(status="pending", sent_at=None)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", sent_count=0)
    mail.outbox.clear()
    assert mailing_send(mailing_id=mailing.pk, limit=2, pause=0) == 2  # the worker dies after two
    # a third row was claimed (SENDING) when the worker died: it is never sent again
    row = MailingRecipient.objects.filter(mailing=mailing, status="pending").order_by("pk").first()
    MailingRecipient.objects.filter(pk=row.pk).update(status="sending")
    assert mailing_send(mailing_id=mailing.pk, pause=0) == 2  # resumed: the two still pending
    assert mailing_send(mailing_id=mailing.pk, pause=0) == 0  # and again: nothing left
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 4
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
