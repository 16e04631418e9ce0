"""Issue 8 item 11: crafted cursors gave 500. Every cursor (API lists and pages) is signed and strictly
validated in `opencity.core.cursors`; a bad one is a 400 JSON `{code, message}` in the API."""

import base64
import json

import pytest

from opencity.core.cursors import encode_cursor
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db


def _unsigned(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


CRAFTED = [
    _unsigned({"o": -100}),
    _unsigned({"o": "x"}),
    '{"o": 1e30}',
    _unsigned({"o": 1e30}),
    _unsigned({"k": 5}),  # well-formed but unsigned: forged
    encode_cursor({"o": -100}),  # signed by us, still refused by its shape
    encode_cursor({"o": "x"}),
    encode_cursor({"o": 1e30}),
    encode_cursor({"o": 10**30}),
    encode_cursor({"k": True}),
    encode_cursor({"d": "2026-02-30", "j": 1, "i": 1}),
    encode_cursor({"o": 1, "extra": 1}),
    encode_cursor(["o"]),
    "x" * 5000,
]


@pytest.fixture
def urls(collective):
    give(collective, email="one@example.org", name="One")
    give(collective, email="two@example.org", name="Two")
    s = collective.slug
    return [
        f"/api/v1/collectives/{s}/contributors",
        f"/api/v1/collectives/{s}/transactions",
        f"/api/v1/collectives/{s}/expenses",
        "/api/v1/collectives",
    ]


@pytest.mark.parametrize("cursor", CRAFTED)
def test_crafted_cursors_are_a_400_with_a_code(client, urls, cursor):
    for url in urls:
        r = client.get(url, {"cursor": cursor, "limit": 1})
        assert r.status_code == 400, (url, r.status_code)
        body = r.json()
        assert body["code"] == "invalid_cursor" and body["message"], url


def test_real_cursors_still_page_through(client, urls, collective):
    r = client.get(f"/api/v1/collectives/{collective.slug}/contributors", {"limit": 1}).json()
    second = client.get(f"/api/v1/collectives/{collective.slug}/contributors", {"limit": 1, "cursor": r["next"]})
    assert second.status_code == 200
    assert [x["name"] for x in r["results"] + second.json()["results"]] in (["One", "Two"], ["Two", "One"])


@pytest.mark.parametrize("cursor", CRAFTED[:6])
def test_the_transactions_page_starts_again_from_the_newest(client, collective, cursor):
    give(collective, email="one@example.org", name="One")
    r = client.get(f"/{collective.slug}/transactions", {"cursor": cursor})
    assert r.status_code == 200 and "One" in r.content.decode()
