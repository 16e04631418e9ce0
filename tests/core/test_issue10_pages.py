"""Issue 10: /favicon.ico exists; the signed-in header keeps settings, my contributions, my expenses and "start
a collective" (and host-admin pages for host admins); user text keeps its own direction in Arabic."""

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_favicon(client):
    res = client.get("/favicon.ico")
    assert res.status_code == 200 and res["Content-Type"] == "image/x-icon"
    assert b"".join(res.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in res["Cache-Control"]


def _menu(html: str) -> str:
    return html[html.index('<details class="user-menu">') : html.index("</details>", html.index("user-menu"))]


def test_signed_in_menu_has_the_way_everywhere(client, collective):
    client.force_login(make_user(name="Ana"))
    menu = _menu(client.get(f"/{collective.slug}/").content.decode())
    for href in ["/accounts/settings/", "/contributions/mine", "/expenses/mine", "/collectives/new"]:
        assert f'href="{href}"' in menu
    assert "/admin/" not in menu  # not a host admin


def test_host_admin_sees_host_admin_pages_and_the_applications_queue(client, host, host_admin):
    client.force_login(host_admin)
    menu = _menu(client.get("/").content.decode())
    assert f'href="/{host.slug}/admin/"' in menu and f'href="/{host.slug}/admin/applications"' in menu
    profile = client.get(f"/{host.slug}/").content.decode()
    assert f'href="/{host.slug}/admin/applications"' in profile


def test_user_text_keeps_its_own_direction_in_arabic(client, collective):
    collective.description = "!Keep going"
    collective.save(update_fields=["description"])
    html = client.get(f"/ar/{collective.slug}/").content.decode()
    assert 'dir="rtl"' in html
    assert '<p class="lead" dir="auto">!Keep going</p>' in html
    assert f'<h1 dir="auto">{collective.name}</h1>' in html
