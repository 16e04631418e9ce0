"""The expenses API: same rules as the pages, 4xx JSON on refusal, never a receipt or IBAN in public."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opencity.expenses.demo import tiny_pdf, tiny_png
from opencity.expenses.models import Expense
from tests.conftest import otp_header
from tests.expenses.conftest import AFTER, ALLOWED, ROLES, World, approved, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def _auth(api_token, user):
    """The token, and for a user with two-factor on a current code (money actions need one, issue 8)."""
    if not user:
        return {}
    return {"HTTP_AUTHORIZATION": api_token(user), **(otp_header(user) if user.totp_enabled else {})}


def _items(*amounts, days_ago=2):
    day = (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()
    return json.dumps([{"description": f"Item {i}", "date": day, "amount": a} for i, a in enumerate(amounts)])


def _payload(**over):
    data = {
        "type": "reimbursement",
        "title": "Paint for the mural",
        "category": "equipment",
        "items": _items(1999, 501),
        "iban": "BE68539007547034",
        "account_holder": "Sam Submitter",
        "receipts": [
            SimpleUploadedFile("a.pdf", tiny_pdf(), content_type="application/pdf"),
            SimpleUploadedFile("b.png", tiny_png(), content_type="image/png"),
        ],
    }
    data.update(over)
    return data


def test_create_with_receipts_then_list_publicly(world, client, api_token):
    url = f"/api/v1/collectives/{world.collective.slug}/expenses"
    res = client.post(url, _payload(), **_auth(api_token, world.submitter))
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["status"] == "pending" and body["amount"] == {"value": 2500, "currency": "EUR"}
    assert body["private"]["payout_method"]["iban"] == "BE68539007547034"
    assert [i["receipt"] for i in body["private"]["items"]] == [True, True]
    listing = client.get(url).json()
    assert [r["id"] for r in listing["results"]] == [body["id"]]
    text = json.dumps(listing)
    assert "BE68" not in text and "receipt" not in text and "private" not in text
    public = client.get(f"/api/v1/expenses/{body['id']}").json()
    assert public["private"] is None and public["payee"] == world.submitter.person.public_name


def test_create_needs_a_token(world, client):
    res = client.post(f"/api/v1/collectives/{world.collective.slug}/expenses", _payload())
    assert res.status_code == 401 and res.json()["code"] == "unauthenticated"


BAD = {
    "iban": ({"iban": "BE68539007547035"}, "invalid_iban"),
    "exe": ({"receipts": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 100)]}, "receipt_type"),
    "zero": ({"items": _items(0)}, "amount_not_positive"),
    "negative": ({"items": _items(-100)}, "amount_not_positive"),
    "future": ({"items": _items(100, days_ago=-3)}, "date_in_future"),
    "not_json": ({"items": "[{"}, "invalid_items"),
    "float": ({"items": json.dumps([{"description": "x", "date": "2026-01-01", "amount": 12.5}])}, "invalid_amount"),
    "no_items": ({"items": "[]"}, "no_items"),
    "category": ({"category": "yachts"}, "invalid_category"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_clear_4xx_and_nothing_saved(world, client, api_token, case):
    over, code = BAD[case]
    res = client.post(
        f"/api/v1/collectives/{world.collective.slug}/expenses", _payload(**over), **_auth(api_token, world.submitter)
    )
    assert 400 <= res.status_code < 500
    assert res.json()["code"] == code and res.json()["message"]
    assert Expense.objects.count() == 0


def test_fifty_megabyte_receipt_is_refused(world, client, api_token, tmp_path):
    path = tmp_path / "big.pdf"
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    with open(path, "rb") as big:
        res = client.post(
            f"/api/v1/collectives/{world.collective.slug}/expenses",
            _payload(items=_items(1000), receipts=[big]),
            **_auth(api_token, world.submitter),
        )
    assert res.status_code == 400 and res.json()["code"] == "receipt_too_large"
    assert Expense.objects.count() == 0


def test_pay_without_2fa_is_403_with_its_own_code(world, client, api_token):
    from opencity.hosting import services as hosting
    from tests.conftest import make_user

    admin = make_user()
    hosting.host_add_admin(host=world.host, user=admin)
    expense = approved(world.collective, world.submitter)
    res = client.post(
        f"/api/v1/expenses/{expense.public_id}/pay", "{}", content_type="application/json", **_auth(api_token, admin)
    )
    assert res.status_code == 403 and res.json()["code"] == "2fa_required"


def test_list_is_cursor_paginated(world, client):
    for i in range(5):
        submit(world.collective, world.submitter, 100 + i, title=f"E{i}")
    url = f"/api/v1/collectives/{world.collective.slug}/expenses?limit=2"
    seen, nxt = [], None
    for _ in range(5):
        page = client.get(url + (f"&cursor={nxt}" if nxt else "")).json()
        seen += [r["title"] for r in page["results"]]
        nxt = page["next"]
        if not nxt:
            break
    assert seen == ["E4", "E3", "E2", "E1", "E0"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_action_by_role(world, client, api_token, action, role):
    expense = (
        approved(world.collective, world.submitter) if action == "pay" else submit(world.collective, world.submitter)
    )
    before = expense.status
    payload = {"body": "Hello", "private": False} if action == "comment" else {"note": "Needs a date"}
    res = client.post(
        f"/api/v1/expenses/{expense.public_id}/{action}",
        json.dumps(payload),
        content_type="application/json",
        **_auth(api_token, world.user(role)),
    )
    allowed = role in ALLOWED[action]
    if allowed:
        assert res.status_code in (200, 201), res.content
    elif role == "anonymous":
        assert res.status_code == 401
    else:
        assert res.status_code == 403, res.content
        assert res.json()["code"] in ("forbidden", "2fa_required", "own_expense")
    expense.refresh_from_db()
    if action != "comment":
        assert expense.status == (AFTER[action] if allowed else before)


def test_detail_private_fields_by_role(world, client, api_token):
    expense = submit(world.collective, world.submitter)
    for role in ROLES:
        data = client.get(f"/api/v1/expenses/{expense.public_id}", **_auth(api_token, world.user(role))).json()
        involved = role in {"submitter", "collective_admin", "host_admin"}
        assert (data["private"] is not None) == involved, role


def test_wrong_state_is_409(world, client, api_token):
    expense = approved(world.collective, world.submitter)
    res = client.post(
        f"/api/v1/expenses/{expense.public_id}/approve",
        "{}",
        content_type="application/json",
        **_auth(api_token, world.host_admin),
    )
    assert res.status_code == 409 and res.json()["code"] == "wrong_status"


def test_pay_beyond_balance_is_409(world, client, api_token):
    expense = approved(world.collective, world.submitter, 100_001)
    res = client.post(
        f"/api/v1/expenses/{expense.public_id}/pay",
        "{}",
        content_type="application/json",
        **_auth(api_token, world.host_admin),
    )
    assert res.status_code == 409 and res.json()["code"] == "insufficient_funds"


def test_unknown_and_draft_are_404(world, client, api_token):
    assert client.get("/api/v1/expenses/exp_nothere").status_code == 404
    draft = submit(world.collective, world.submitter, draft=True)
    assert client.get(f"/api/v1/expenses/{draft.public_id}").status_code == 404
    assert client.get(f"/api/v1/expenses/{draft.public_id}", **_auth(api_token, world.submitter)).status_code == 200


def test_idempotency_key_makes_retries_safe(world, client, api_token):
    url = f"/api/v1/collectives/{world.collective.slug}/expenses"
    headers = {**_auth(api_token, world.submitter), "HTTP_IDEMPOTENCY_KEY": "retry-1"}
    first = client.post(url, _payload(), **headers)
    second = client.post(url, _payload(), **headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Expense.objects.count() == 1


@pytest.mark.parametrize("size", [3, 12])
def test_list_query_count_does_not_grow(world, client, django_assert_max_num_queries, size):
    for i in range(size):
        submit(world.collective, world.submitter, 100 + i)
    with django_assert_max_num_queries(8):
        assert (
            len(client.get(f"/api/v1/collectives/{world.collective.slug}/expenses?limit=50").json()["results"]) == size
        )
