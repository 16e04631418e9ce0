"""Who may do what, for every role, on the pages and in the API. Refused requests change nothing."""

import pytest

from opencity.hosting.models import Collective, HostApplication, Invitation
from tests.conftest import make_collective, make_host, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_user", "collective_admin", "other_collective_admin", "host_admin", "other_host_admin"]


@pytest.fixture
def world(host):
    """A host with an active collective and a pending application, plus one of everyone else."""
    other_host = make_host()
    collective = make_collective(host)
    pending = make_collective(host, active=False, admin=collective.admins.first())
    other_collective = make_collective(host)
    return {
        "host": host,
        "collective": collective,
        "pending": pending,
        "application": pending.applications.get(),
        "users": {
            "anonymous": None,
            "other_user": make_user(),
            "collective_admin": collective.admins.first(),
            "other_collective_admin": other_collective.admins.first(),
            "host_admin": host.admins.first(),
            "other_host_admin": other_host.admins.first(),
        },
    }


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _page_refused(resp, role):
    if role == "anonymous":
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_approve_page(client, world, role):
    app = world["application"]
    resp = _as(client, world["users"][role]).post(
        f"/{world['host'].slug}/admin/applications/{app.public_id}/approve", {"confirm": "yes"}
    )
    app.refresh_from_db()
    if role == "host_admin":
        assert resp.status_code == 302 and app.status == "approved"
    else:
        _page_refused(resp, role)
        assert app.status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_reject_page(client, world, role):
    app = world["application"]
    url = f"/{world['host'].slug}/admin/applications/{app.public_id}/reject"
    resp = _as(client, world["users"][role]).post(url, {"reason": "Not for us", "confirm": "yes"})
    app.refresh_from_db()
    if role == "host_admin":
        assert resp.status_code == 302 and app.status == "rejected" and app.reason == "Not for us"
    else:
        _page_refused(resp, role)
        assert app.status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_applications_list_page(client, world, role):
    resp = _as(client, world["users"][role]).get(f"/{world['host'].slug}/admin/applications")
    if role == "host_admin":
        assert resp.status_code == 200 and world["pending"].name in resp.content.decode()
    else:
        _page_refused(resp, role)


@pytest.mark.parametrize("role", ROLES)
def test_host_settings_page(client, world, role):
    host = world["host"]
    resp = _as(client, world["users"][role]).post(
        f"/{host.slug}/admin/settings",
        {"legal_name": "Renamed ASBL", "default_host_fee_percent": "5", "membership_grace_days": "10"},
    )
    host.refresh_from_db()
    if role == "host_admin":
        assert resp.status_code == 302 and host.legal_name == "Renamed ASBL"
    else:
        _page_refused(resp, role)
        assert host.legal_name != "Renamed ASBL"


@pytest.mark.parametrize("role", ROLES)
def test_edit_page(client, world, role):
    collective = world["collective"]
    resp = _as(client, world["users"][role]).post(
        f"/{collective.slug}/edit", {"name": "Renamed", "category": "food", "commune": "jette"}
    )
    collective.refresh_from_db()
    if role in ("collective_admin", "host_admin"):
        assert resp.status_code == 302 and collective.name == "Renamed"
    else:
        _page_refused(resp, role)
        assert collective.name != "Renamed"


@pytest.mark.parametrize("role", ROLES)
def test_invite_page(client, world, role, mailoutbox, django_capture_on_commit_callbacks):
    collective = world["collective"]
    with django_capture_on_commit_callbacks(execute=True):
        resp = _as(client, world["users"][role]).post(
            f"/{collective.slug}/admins", {"action": "invite", "email": "newbie@example.org"}
        )
    invited = Invitation.objects.filter(collective=collective, email="newbie@example.org").exists()
    if role in ("collective_admin", "host_admin"):
        assert resp.status_code == 302 and invited and len(mailoutbox) == 1
    else:
        _page_refused(resp, role)
        assert not invited and not mailoutbox


@pytest.mark.parametrize("role", ROLES)
def test_pending_page_visibility(client, world, role):
    resp = _as(client, world["users"][role]).get(f"/{world['pending'].slug}/")
    if role in ("collective_admin", "host_admin"):
        assert resp.status_code == 200 and "Awaiting approval" in resp.content.decode()
    else:
        assert resp.status_code == 404


def _api(client, method, url, user, api_token, body=None):
    headers = {"HTTP_AUTHORIZATION": api_token(user)} if user else {}
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, data=body, content_type="application/json", **headers)


def _api_refused(resp, role):
    if role == "anonymous":
        assert resp.status_code == 401
    else:
        assert resp.status_code in (403, 404)
    assert resp.json()["code"]


@pytest.mark.parametrize("role", ROLES)
def test_approve_api(client, world, role, api_token):
    app = world["application"]
    resp = _api(client, "post", f"/api/v1/applications/{app.public_id}/approve", world["users"][role], api_token)
    app.refresh_from_db()
    if role == "host_admin":
        assert resp.status_code == 200 and app.status == "approved"
    else:
        _api_refused(resp, role)
        assert app.status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_reject_api(client, world, role, api_token):
    app = world["application"]
    resp = _api(
        client,
        "post",
        f"/api/v1/applications/{app.public_id}/reject",
        world["users"][role],
        api_token,
        {"reason": "No"},
    )
    app.refresh_from_db()
    if role == "host_admin":
        assert resp.status_code == 200 and app.status == "rejected"
    else:
        _api_refused(resp, role)
        assert app.status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_applications_list_api(client, world, role, api_token):
    resp = _api(client, "get", f"/api/v1/hosts/{world['host'].slug}/applications", world["users"][role], api_token)
    if role == "host_admin":
        assert resp.status_code == 200 and len(resp.json()["results"]) == 1
    else:
        _api_refused(resp, role)


@pytest.mark.parametrize("role", ROLES)
def test_edit_api(client, world, role, api_token):
    collective = world["collective"]
    resp = _api(
        client, "patch", f"/api/v1/collectives/{collective.slug}", world["users"][role], api_token, {"name": "Renamed"}
    )
    collective.refresh_from_db()
    if role in ("collective_admin", "host_admin"):
        assert resp.status_code == 200 and collective.name == "Renamed"
    else:
        _api_refused(resp, role)
        assert collective.name != "Renamed"


def test_other_hosts_admin_cannot_touch_another_hosts_application_even_by_id(client, world, api_token):
    """The application id is opaque and scoped: reusing it under one's own host slug does not work either."""
    other_admin = world["users"]["other_host_admin"]
    other_host = other_admin.admin_of_hosts.get()
    client.force_login(other_admin)
    app = world["application"]
    resp = client.post(f"/{other_host.slug}/admin/applications/{app.public_id}/approve")
    assert resp.status_code == 404
    assert HostApplication.objects.get(pk=app.pk).status == "pending"
    assert Collective.objects.get(pk=world["pending"].pk).status == "pending"
