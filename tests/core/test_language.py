"""A French browser gets French at `/`; a chosen language sticks on every link; the switch is buttons."""

import re

import pytest

from tests.conftest import make_collective, make_host

pytestmark = pytest.mark.django_db


def test_first_visit_in_the_browsers_language(client):
    resp = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9,en;q=0.5")
    assert resp.status_code == 302 and resp["Location"] == "/fr/"
    assert "Accept-Language" in resp["Vary"]
    page = client.get(resp["Location"], HTTP_ACCEPT_LANGUAGE="fr-BE").content.decode()
    assert '<html lang="fr"' in page
    # The same for a shared link, with its query string.
    resp = client.get("/collectives/?q=jardin", HTTP_ACCEPT_LANGUAGE="ar")
    assert resp["Location"] == "/ar/collectives/?q=jardin"


def test_english_and_unknown_browsers_stay_on_english(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").status_code == 200
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de").status_code == 200
    assert client.get("/").status_code == 200


def test_a_chosen_language_sticks_on_every_link(client):
    host = make_host()
    collective = make_collective(host)
    resp = client.post("/i18n/setlang/", {"language": "nl", "next": f"/{collective.slug}/"})
    assert resp.status_code == 302 and resp["Location"] == f"/nl/{collective.slug}/"
    # Back at an unprefixed address (typed, bookmarked): the chosen language, whatever the browser says.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr")["Location"] == "/nl/"
    for path in ("/nl/", f"/nl/{collective.slug}/", f"/nl/{collective.slug}/transactions", "/nl/collectives/"):
        page = client.get(path).content.decode()
        links = re.findall(r'href="(/[^"]*)"', page)
        own = [u for u in links if not u.startswith(("/api/", "/static/", "/media/", "/admin/", "/i18n/"))]
        assert own, path
        assert all(u.startswith("/nl/") for u in own), [u for u in own if not u.startswith("/nl/")]
    # Choosing English again is remembered too.
    client.post("/i18n/setlang/", {"language": "en", "next": "/nl/"})
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200


def test_the_switch_is_a_list_of_links_not_an_auto_submitting_select(client):
    host = make_host()
    collective = make_collective(host)
    page = client.get(f"/fr/{collective.slug}/transactions?kind=contribution").content.decode()
    header = page[page.index("<header") : page.index("</header>")]
    assert "<select" not in header and "onchange" not in header
    links = dict(
        (lang, href.replace("&amp;", "&"))
        for href, lang in re.findall(r'<a class="nav-link" href="(/i18n/setlang/\?language=(\w+)[^"]*)"', header)
    )
    assert sorted(links) == ["ar", "en", "nl"]  # the current language is shown, not offered
    assert 'aria-current="true">français<' in header
    # Following a link (no JavaScript, no form) opens the same page in that language and remembers it.
    resp = client.get(links["nl"])
    assert resp.status_code == 302 and resp["Location"] == f"/nl/{collective.slug}/transactions?kind=contribution"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr")["Location"] == "/nl/"
    resp = client.get(links["en"])
    assert resp["Location"] == f"/{collective.slug}/transactions?kind=contribution"
    assert client.get(resp["Location"], HTTP_ACCEPT_LANGUAGE="fr").status_code == 200  # English sticks too


def test_the_switch_refuses_other_sites_and_unknown_languages(client):
    assert client.get("/i18n/setlang/?language=fr&next=https://evil.example/")["Location"] == "/fr/"
    assert client.get("/i18n/setlang/?language=xx&next=/collectives/")["Location"] == "/collectives/"


def test_posts_and_the_api_are_never_redirected(client):
    assert client.post("/", HTTP_ACCEPT_LANGUAGE="fr").status_code != 302
    resp = client.get("/api/v1/collectives", HTTP_ACCEPT_LANGUAGE="fr")
    assert resp.status_code == 200
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
