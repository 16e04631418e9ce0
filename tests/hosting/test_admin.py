"""The Django admin pages for hosting models open for staff (support work)."""

import pytest

from opencity.hosting import team
from tests.conftest import make_collective, make_user

pytestmark = pytest.mark.django_db


def test_admin_pages_render(client, host):
    collective = make_collective(host)
    invitation = team.invitation_create(collective=collective, by=collective.admins.get(), email="x@example.org")
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    application = collective.applications.get()
    for url in [
        "/admin/hosting/host/",
        f"/admin/hosting/host/{host.pk}/change/",
        "/admin/hosting/collective/?status__exact=active",
        "/admin/hosting/collective/?q=collective",
        f"/admin/hosting/collective/{collective.pk}/change/",
        "/admin/hosting/hostapplication/",
        f"/admin/hosting/hostapplication/{application.pk}/change/",
        "/admin/hosting/invitation/",
        f"/admin/hosting/invitation/{invitation.pk}/change/",
    ]:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert invitation.token not in resp.content.decode()
    assert client.get("/admin/hosting/hostapplication/add/").status_code == 403
