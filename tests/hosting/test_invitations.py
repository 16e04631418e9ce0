"""Invitations through the pages (Django client): only the invited address may accept, only for a while,
only once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opencity.core.errors import Conflict, NotFound, PermissionDenied
from opencity.hosting import team
from opencity.hosting.models import CollectiveAdmin, Invitation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(collective, collective_admin):
    return team.invitation_create(collective=collective, by=collective_admin, email="Friend@Example.org")


def _url(invitation):
    return f"/invitations/{invitation.token}"


def _admins(collective):
    return set(CollectiveAdmin.objects.filter(collective=collective).values_list("user__email", flat=True))


def test_the_invited_person_accepts(client, collective, invitation):
    friend = make_user("FRIEND@example.org")  # the address matches whatever its case
    client.force_login(friend)
    assert "Accept the invitation" in client.get(_url(invitation)).content.decode()
    resp = client.post(_url(invitation))
    assert resp.status_code == 302 and resp["Location"] == f"/{collective.slug}/"
    assert collective.admins.filter(pk=friend.pk).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == friend and invitation.accepted_at is not None
    # a second click by the same person changes nothing and fails nothing
    resp = client.post(_url(invitation))
    assert resp.status_code == 302
    assert CollectiveAdmin.objects.filter(collective=collective, user=friend).count() == 1


def test_someone_else_cannot_accept(client, collective, invitation):
    before = _admins(collective)
    other = make_user("other@example.org")
    client.force_login(other)
    page = client.get(_url(invitation))
    assert page.status_code == 403
    body = page.content.decode()
    assert "sent to another email address" in body and "Accept the invitation" not in body
    resp = client.post(_url(invitation), follow=True)
    assert "sent to another email address" in resp.content.decode()
    assert _admins(collective) == before
    invitation.refresh_from_db()
    assert invitation.is_open and invitation.accepted_by is None
    with pytest.raises(PermissionDenied) as exc:
        team.invitation_accept(token=invitation.token, user=other)
    assert exc.value.code == "invitation_wrong_account"


def test_anonymous_is_sent_to_login_and_back(client, collective, invitation):
    assert "Log in" in client.get(_url(invitation)).content.decode()
    resp = client.post(_url(invitation))
    assert resp.status_code == 302
    assert resp["Location"] == f"/accounts/login/?next=/invitations/{invitation.token}"
    assert _admins(collective) == {collective.admins.get().email}
    # after logging in with the invited address, the `next` brings them back and they accept
    friend = make_user("friend@example.org")
    from tests.conftest import PASSWORD

    resp = client.post(resp["Location"], {"email": friend.email, "password": PASSWORD})
    assert resp["Location"] == _url(invitation)
    assert client.post(_url(invitation)).status_code == 302
    assert collective.admins.filter(pk=friend.pk).exists()


def test_expired_invitation_is_refused(client, collective, invitation, settings):
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=15))
    friend = make_user("friend@example.org")
    client.force_login(friend)
    page = client.get(_url(invitation))
    assert page.status_code == 410 and "has expired" in page.content.decode()
    resp = client.post(_url(invitation), follow=True)
    assert "has expired" in resp.content.decode()
    assert not collective.admins.filter(pk=friend.pk).exists()
    # the age is a setting
    settings.INVITATION_MAX_AGE_DAYS = 30
    assert client.post(_url(invitation)).status_code == 302
    assert collective.admins.filter(pk=friend.pk).exists()


def test_expired_invitation_gives_way_to_a_new_one(collective, collective_admin, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=15))
    fresh = team.invitation_create(collective=collective, by=collective_admin, email="friend@example.org")
    assert fresh.pk != invitation.pk
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    friend = make_user("friend@example.org")
    with pytest.raises(NotFound):
        team.invitation_accept(token=invitation.token, user=friend)
    team.invitation_accept(token=fresh.token, user=friend)
    assert collective.admins.filter(pk=friend.pk).exists()


def test_a_used_invitation_cannot_be_reused(client, collective, invitation):
    friend = make_user("friend@example.org")
    team.invitation_accept(token=invitation.token, user=friend)
    before = _admins(collective)
    # another account (even one that would match after an email change) cannot use it again
    stranger = make_user()
    client.force_login(stranger)
    page = client.get(_url(invitation))
    assert "already been used" in page.content.decode()
    resp = client.post(_url(invitation), follow=True)
    assert "already been used" in resp.content.decode()
    assert _admins(collective) == before
    with pytest.raises(Conflict):
        team.invitation_accept(token=invitation.token, user=stranger)
