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


def _give_by_api(client, collective, **extra):
    body = {"amount": 2500, "payment_method": "demo", "email": "Box@Example.org", "name": "Box Ticker", **extra}
    return client.post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )


def test_checkout_api_keep_informed_box_is_a_double_opt_in_consent(
    client, collective, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from opencity.community.models import Consent, Member, Person

    assert _give_by_api(client, collective).status_code == 201  # the box unticked (the default): nothing asked
    assert not Consent.objects.exists()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a retried request (same idempotency key) asks once
            response = _give_by_api(client, collective, keep_informed=True, idempotency_key="box-1")
            assert response.status_code == 201
    consent_row = Consent.objects.get()
    assert consent_row.person == Person.objects.get(email="box@example.org")
    assert consent_row.requested_at >= before and consent_row.confirmed_at is None and consent_row.language == "nl"
    assert "Houd me op de hoogte" in consent_row.wording and collective.host.name in consent_row.wording
    assert not Member.objects.filter(person=consent_row.person, consenting=True).exists()
    (message,) = [m for m in mailoutbox if "/people/consent/" in m.body]
    assert message.to == ["box@example.org"] and consent_row.wording in message.body
    link = next(w for w in message.body.split() if "/people/consent/" in w)
    assert client.post(link[link.index("/people/") :]).status_code == 200
    consent_row.refresh_from_db()
    assert consent_row.confirmed_at and Member.objects.get(person=consent_row.person).consenting
    bad = _give_by_api(client, collective, keep_informed="maybe")
    assert bad.status_code == 422 and "code" in bad.json()
