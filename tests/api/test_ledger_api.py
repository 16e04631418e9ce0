"""Money API: transactions (public, signed, cursor-paginated), added funds and gifts (token, permissions)."""

import json

import pytest

from opencity.ledger import services as ledger
from opencity.ledger.models import Journal
from tests.conftest import enable_2fa, make_collective, otp_header
from tests.ledger.helpers import contribute

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_admin(host):
    from tests.conftest import enable_2fa

    return enable_2fa(host.admins.first())


def _post(client, url, body, token=None, otp_user=None):
    """`otp_user`: send a current code of theirs in X-OpenCity-OTP (money actions need one, issue 8)."""
    kwargs = {"HTTP_AUTHORIZATION": token} if token else {}
    if otp_user is not None:
        kwargs.update(otp_header(otp_user))
    return client.post(url, data=json.dumps(body), content_type="application/json", **kwargs)


def test_transactions_sum_to_balance_across_pages(client, collective):
    for amount in (1000, 2500, 700):
        contribute(collective, amount, fee=30)
    seen, cursor = [], ""
    while True:
        data = client.get(f"/api/v1/collectives/{collective.slug}/transactions?limit=2&cursor={cursor}").json()
        seen += data["results"]
        cursor = data["next"]
        if cursor is None:
            break
    assert len(seen) == 9
    assert sum(r["amount"]["value"] for r in seen) == ledger.funds_account(collective).balance
    assert {r["amount"]["currency"] for r in seen} == {"EUR"}
    assert [r["kind"] for r in seen[:3]] == ["contribution", "processor_fee", "host_fee"]
    assert seen[0]["amount"]["value"] > 0 and seen[1]["amount"]["value"] < 0
    # Balance in the collective's API answer is the same number.
    detail = client.get(f"/api/v1/collectives/{collective.slug}").json()
    assert detail["balance"]["value"] == ledger.funds_account(collective).balance


def test_host_api_includes_totals(client, host):
    contribute(make_collective(host), 10000)
    totals = client.get(f"/api/v1/hosts/{host.slug}").json()["totals"]
    assert totals["collectives_count"] == 1
    assert totals["host_fees_collected"]["value"] == 800
    assert totals["total_held"]["value"] == 9200


def test_added_funds_api(client, collective, host_admin, collective_admin, api_token):
    url = f"/api/v1/hosts/{collective.host.slug}/added-funds"
    body = {
        "collective": collective.slug,
        "amount": 5000,
        "source": "Sponsor",
        "description": "grant",
        "charge_host_fee": False,
        "idempotency_key": "k1",
    }
    assert _post(client, url, body).status_code == 401
    r = _post(client, url, body, api_token(collective_admin))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    token = api_token(host_admin)
    r = _post(client, url, body, token, otp_user=host_admin)
    assert r.status_code == 201, r.content
    retried = _post(client, url, body, token, otp_user=host_admin)
    assert retried.json()["journal"] == r.json()["journal"]  # retried: one journal
    assert ledger.funds_account(collective).balance == 5000
    bad = _post(client, url, {**body, "amount": 0, "idempotency_key": "k2"}, token, otp_user=host_admin)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    journal = r.json()["journal"]
    r = _post(client, f"/api/v1/added-funds/{journal}/reverse", {"reason": ""}, token, otp_user=host_admin)
    assert r.status_code == 422
    r = _post(client, f"/api/v1/added-funds/{journal}/reverse", {"reason": "bounced"}, token, otp_user=host_admin)
    assert r.status_code == 201 and ledger.funds_account(collective).balance == 0
    assert (
        _post(
            client, f"/api/v1/added-funds/{journal}/reverse", {"reason": "x"}, api_token(collective_admin)
        ).status_code
        == 404
    )
    assert Journal.objects.filter(reverses__public_id=journal).count() == 1


def test_gift_api(client, host, api_token):
    giver, receiver = make_collective(host), make_collective(host)
    contribute(giver, 1000)
    admin = enable_2fa(giver.admins.first())  # gifts move money: two-factor (issue 8)
    token = api_token(admin)
    url = f"/api/v1/collectives/{giver.slug}/gifts"
    r = _post(client, url, {"to": receiver.slug, "amount": 921, "description": "x"}, token, otp_user=admin)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    r = _post(client, url, {"to": receiver.slug, "amount": 920, "description": "x"}, token, otp_user=admin)
    assert r.status_code == 201 and ledger.funds_account(receiver).balance == 920
    r = _post(
        client, f"/api/v1/collectives/{receiver.slug}/gifts", {"to": giver.slug, "amount": 1, "description": "x"}, token
    )
    assert r.status_code == 403
