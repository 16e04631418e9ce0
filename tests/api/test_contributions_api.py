"""The contributions API: public tiers and contributors (no emails), create with validation, owner/admin reads."""

import pytest

from opencity.contributions import services
from opencity.contributions.models import Contribution, Tier
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


def _create(client, collective, token=None, **payload):
    body = {"amount": 2500, "payment_method": "demo", "email": "api@example.org", "name": "Api Giver"}
    body.update(payload)
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    return client.post(
        f"/api/v1/collectives/{collective.slug}/contributions", body, content_type="application/json", **headers
    )


def test_tiers_and_contributors_are_public_without_emails(client, collective, collective_admin):
    services.tier_create(
        collective=collective,
        by=collective_admin,
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )
    services.tier_create(collective=collective, by=collective_admin, name="Donation", presets=[1000, 2500])
    tiers = client.get(f"/api/v1/collectives/{collective.slug}/tiers").json()
    assert [t["name"] for t in tiers] == ["Member", "Donation"]
    assert tiers[0]["amount"] == {"value": 1000, "currency": "EUR"} and tiers[0]["interval"] == "month"
    assert _create(client, collective, tier="member").status_code == 201
    assert _create(client, collective, email="anon@example.org", anonymous=True, amount=500).status_code == 201
    r = client.get(f"/api/v1/collectives/{collective.slug}/contributors")
    data = r.json()
    assert [x["name"] for x in data["results"]] == ["Api Giver", "Anonymous"]
    assert data["members"] == 1 and data["monthly_recurring_income"] == {"value": 1000, "currency": "EUR"}
    assert "@" not in r.content.decode()
    page1 = client.get(f"/api/v1/collectives/{collective.slug}/contributors?limit=1").json()
    assert len(page1["results"]) == 1 and page1["next"]
    page2 = client.get(f"/api/v1/collectives/{collective.slug}/contributors?limit=1&cursor={page1['next']}").json()
    assert page2["results"][0]["name"] == "Anonymous" and page2["next"] is None


def test_create_returns_checkout_url_and_is_idempotent(client, collective, check_ledger):
    r = _create(client, collective, idempotency_key="k-1")
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("con_") and body["status"] == "paid"
    assert body["checkout_url"].endswith(f"/contributions/{body['id']}/thanks")
    assert _create(client, collective, idempotency_key="k-1").json()["id"] == body["id"]
    assert Contribution.objects.count() == 1
    check_ledger()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"amount": 50}, "amount_below_minimum"),
        ({"amount": -100}, "amount_not_positive"),
        ({"amount": 10**15}, "amount_too_large"),
        ({"amount": None}, "amount_required"),
        ({"tier": "ghost"}, "unknown_tier"),
        ({"currency": "ABC"}, "unknown_currency"),
        ({"email": ""}, "email_required"),
        ({"payment_method": "cash"}, "unknown_payment_method"),
        ({"organisation_name": "X", "organisation_vat": "BE0000000000"}, "invalid_vat"),
    ],
)
def test_bad_input_is_4xx_json_and_saves_nothing(client, collective, payload, code):
    r = _create(client, collective, **payload)
    assert 400 <= r.status_code < 500
    assert r.json()["code"] == code and r.json()["message"]
    assert Contribution.objects.count() == 0


def test_wrong_types_are_422_not_500(client, collective):
    r = _create(client, collective, amount="lots")
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    assert client.post("/api/v1/collectives/nope/contributions", {}, content_type="application/json").status_code in (
        404,
        422,
    )


def test_detail_for_owner_and_admins_only(client, collective, collective_admin, host_admin, api_token):
    owner = make_user()
    r = _create(client, collective, token=api_token(owner))
    cid = r.json()["id"]
    url = f"/api/v1/contributions/{cid}"
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION=api_token(make_user())).status_code == 403
    mine = client.get(url, HTTP_AUTHORIZATION=api_token(owner))
    assert mine.status_code == 200 and mine.json()["status"] == "paid" and mine.json()["receipt_number"]
    assert client.get(url, HTTP_AUTHORIZATION=api_token(collective_admin)).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=api_token(host_admin)).status_code == 200
    assert client.get("/api/v1/contributions/con_missing", HTTP_AUTHORIZATION=api_token(owner)).status_code == 404
    assert Contribution.objects.get().person.user == owner


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "nul\x00byte"},
        {"tier": "x\x00y"},
        {"email": "a" * 300 + "@example.org"},
        {"organisation_name": "Org", "organisation_website": "https://example.org/" + "a" * 300},
        {"public_message": "m" * 501},
        {"currency": "EURO" * 10},
        {"interval": "\x00"},
        {"idempotency_key": "k" * 500},
    ],
)
def test_hostile_input_never_500(client, collective, payload):
    r = _create(client, collective, **payload)
    assert r.status_code < 500


def test_nul_in_paths_is_refused(client):
    for url in [
        "/api/v1/collectives/x%00y/tiers",
        "/api/v1/collectives/x%00y/contributors",
        "/api/v1/contributions/con_%00",
    ]:
        r = client.get(url)
        assert r.status_code == 400 and r.json()["code"] == "invalid_characters"
