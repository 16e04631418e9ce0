import pytest

from opencity.community.models import AccessLog
from tests.community.helpers import consent, register
from tests.conftest import make_host, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(host, collective):
    yes = [make_user(f"api-yes{i}@example.org").person for i in range(3)]
    no = make_user("api-no@example.org").person
    for p in [*yes, no]:
        register(p, collective, "evt_api")
    for p in yes:
        consent(p, host)
    return yes, no


def test_people_api_consenting_only_paginated(client, host, people, api_token):
    yes, no = people
    auth = {"HTTP_AUTHORIZATION": api_token(host.admins.first())}
    url = f"/api/v1/hosts/{host.slug}/people"
    first = client.get(url, {"limit": 2}, **auth).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(url, {"limit": 2, "cursor": first["next"]}, **auth).json()
    emails = {p["email"] for p in first["results"] + second["results"]}
    assert emails == {p.email for p in yes} and second["next"] is None
    asked = client.get(url, {"consent": "no"}, **auth).json()["results"]  # no reason: consenting only
    assert no.email not in {p["email"] for p in asked}
    assert client.get(url, {"cursor": "forged"}, **auth).json()["code"] == "invalid_cursor"


def test_people_api_with_a_stated_reason_is_logged(client, host, people, api_token):
    yes, no = people
    auth = {"HTTP_AUTHORIZATION": api_token(host.admins.first())}
    body = client.get(f"/api/v1/hosts/{host.slug}/people", {"consent": "no", "reason": "Tax receipt check"}, **auth)
    assert [p["email"] for p in body.json()["results"]] == [no.email]
    log = AccessLog.objects.get(person=no, action="api")
    assert log.reason == "Tax receipt check"


def test_people_api_access_control(client, host, collective, people, api_token):
    url = f"/api/v1/hosts/{host.slug}/people"
    assert client.get(url).status_code == 401
    for user in (collective.admins.first(), make_host().admins.first(), make_user()):
        response = client.get(url, HTTP_AUTHORIZATION=api_token(user))
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get("/api/v1/hosts/nope/people", HTTP_AUTHORIZATION=api_token(make_user())).status_code == 404
