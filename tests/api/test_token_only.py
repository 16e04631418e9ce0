"""Issue 8, item 5: the API authenticates by token only. A session cookie is no identity for /api/v1: a
cross-origin text/plain POST carrying only the cookie creates nothing (401 JSON); a token works; reads with
only a cookie are anonymous."""

import json

import pytest

from opencity.contributions.models import Contribution
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


BODY = {"amount": 2500, "payment_method": "demo", "email": "victim@example.org", "name": "Victim"}


def test_cookie_only_text_plain_post_from_another_origin_creates_nothing(client, collective):
    """The reproduction: no Authorization header, Content-Type text/plain, the victim's session cookie."""
    victim = make_user("victim@example.org")
    client.force_login(victim)
    resp = client.post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        json.dumps(BODY),
        content_type="text/plain",
        HTTP_ORIGIN="https://evil.example",
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "token_required" and "token" in resp.json()["message"]
    assert Contribution.objects.count() == 0


def test_a_token_works_and_acts_as_its_user(client, collective, api_token):
    owner = make_user("owner@example.org")
    resp = client.post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        json.dumps({**BODY, "email": owner.email}),
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token(owner),
    )
    assert resp.status_code == 201, resp.content
    contribution = Contribution.objects.get()
    assert contribution.person.user_id == owner.pk
    # Reading it back: the token's owner may; the same request with only a cookie is anonymous.
    url = f"/api/v1/contributions/{contribution.public_id}"
    assert client.get(url, HTTP_AUTHORIZATION=api_token(owner)).status_code == 200
    client.force_login(owner)
    resp = client.get(url)
    assert resp.status_code in (401, 404) and "code" in resp.json()


def test_a_token_wins_over_a_cookie_of_someone_else(client, collective, api_token):
    mallory, owner = make_user("mallory@example.org"), make_user("owner2@example.org")
    client.force_login(mallory)
    resp = client.post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        json.dumps({**BODY, "email": owner.email}),
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token(owner),
    )
    assert resp.status_code == 201
    assert Contribution.objects.get().person.user_id == owner.pk


def test_anonymous_without_cookie_still_gives_as_a_guest(client, collective):
    resp = client.post(
        f"/api/v1/collectives/{collective.slug}/contributions", json.dumps(BODY), content_type="application/json"
    )
    assert resp.status_code == 201 and Contribution.objects.count() == 1


def test_token_endpoints_ignore_the_cookie(client, collective):
    client.force_login(collective.admins.first())
    resp = client.post(
        f"/api/v1/collectives/{collective.slug}/expenses",
        json.dumps({"title": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    assert resp.status_code == 401 and resp.json()["code"] == "unauthenticated"
