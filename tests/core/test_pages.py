"""Core pages: home, 404, 403, in every language, with the right direction."""

import pytest

from tests.conftest import make_collective, make_user

pytestmark = pytest.mark.django_db

HOME_TITLE = {
    "en": "Your city, as an open collective",
    "fr": "Votre ville, en collectif ouvert",
    "nl": "Uw stad als open collectief",
    "ar": "مدينتك، كمجموعة مفتوحة",
}


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "ar"])
def test_home_in_every_language(client, host, lang):
    make_collective(host, name="Repair Café")
    prefix = "" if lang == "en" else f"/{lang}"
    html = client.get(f"{prefix}/").content.decode()
    assert f'lang="{lang}"' in html
    assert ('dir="rtl"' in html) == (lang == "ar")
    assert HOME_TITLE[lang] in html and "Repair Café" in html and host.name in html


@pytest.mark.parametrize("lang", ["fr", "nl", "ar"])
def test_directory_and_profile_translated(client, collective, lang):
    directory = client.get(f"/{lang}/collectives/").content.decode()
    assert ">Collectives<" not in directory.split("<main")[1]  # the page title is translated
    profile = client.get(f"/{lang}/{collective.slug}/").content.decode()
    assert "Hosted by" not in profile and collective.name in profile


def test_404_page(client):
    resp = client.get("/fr/no-such-thing/")
    assert resp.status_code == 404 and "Page introuvable" in resp.content.decode()


def test_403_page(client, host):
    client.force_login(make_user())
    resp = client.get(f"/nl/{host.slug}/admin/")
    assert resp.status_code == 403 and 'lang="nl"' in resp.content.decode()


def test_no_host_yet(client, db):
    assert "opencity createhost" in client.get("/").content.decode()
