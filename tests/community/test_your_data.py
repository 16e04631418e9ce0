"""Your data (issue 13, point 6): reached by a link, shows everything held, downloads it, withdraws consent."""

import json

import pytest

from opencity.community import tokens, volunteering
from opencity.community.models import Member
from tests.community.helpers import consent, last_link, register
from tests.conftest import make_user
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return url[url.index("/people/") :]


def test_asking_for_a_link_answers_the_same_for_unknown_addresses(client, mailoutbox):
    make_user("known@example.org", name="Known")
    unknown = client.post("/people/me", {"email": "nobody@example.org"}, follow=True)
    known = client.post("/people/me", {"email": "KNOWN@example.org"}, follow=True)
    assert unknown.status_code == known.status_code == 200
    assert unknown.content.decode().count("a link to it is on its way") == 1
    assert [m.to for m in mailoutbox] == [["known@example.org"]]
    assert client.get(last_link("/people/me/")).status_code == 200


def test_the_page_and_json_show_everything_held_and_consent_can_be_withdrawn(client, host, collective):
    user = make_user("ida@example.org", name="Ida Data")
    person = user.person
    register(person, collective, "evt_ida")
    give(collective, email="ida@example.org", user=user, amount=1500)
    o = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Sort books")
    volunteering.signup_create(opportunity=o, name="", email="", user=user)
    consent(person, host)
    admin = host.admins.first()
    client.force_login(admin)
    client.get(f"/{host.slug}/community")  # an admin looked: the person sees it
    client.logout()
    path = _path(tokens.your_data_url(person))
    page = client.get(path).content.decode()
    for text in ("Ida Data", "ida@example.org", collective.name, "Sort books", "confirmed", admin.name):
        assert text in page
    data = json.loads(client.get(path + "/data.json").content)
    assert {i["kind"] for i in data["interactions"]} == {"registration", "contribution", "volunteer", "newsletter"}
    assert data["contributions"][0]["amount"] == {"value": 1500, "currency": "EUR"}
    assert [s["opportunity"] for s in data["volunteer_signups"]] == ["Sort books"]
    assert data["access_log"][0]["action"] == "view" and data["consents"][0]["confirmed_at"]
    assert "keep the name on receipts" in page  # what the law keeps, and who sees it
    assert client.post(path + "/withdraw").status_code == 302
    assert not Member.objects.get(person=person, host=host).consenting
    assert "withdrawn" in client.get(path).content.decode()


def test_a_data_link_works_for_its_person_only(client, host, collective):
    a, b = make_user("a@example.org").person, make_user("b@example.org").person
    forged = tokens.make(tokens.DATA_SALT, b.public_id, "a@example.org")  # a's address, b's id
    assert client.get(f"/people/me/{forged}").status_code == 404
    tampered = _path(tokens.your_data_url(a))[:-3] + "xyz"
    assert client.get(tampered).status_code == 404
    assert client.post(f"/people/me/{forged}/erase", {"confirm": "erase"}).status_code == 404
    assert client.get(_path(tokens.your_data_url(a))).status_code == 200
