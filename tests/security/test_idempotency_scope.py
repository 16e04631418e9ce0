"""Issue 8 item 4: idempotency keys belong to their caller (token user, or the browser session of a guest);
another client sending the same key gets its own new contribution, never someone else's or its thank-you page."""

import pytest
from django.test import Client

from opencity.contributions.models import Contribution
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _post(client, collective, **extra):
    data = {"amount": "25", "payment_method": "demo", "email": "a@example.org", "name": "A", **extra}
    return client.post(f"/{collective.slug}/contribute", data)


def test_web_checkout_keys_are_scoped_to_the_browser_session(collective):
    alice, mallory = Client(), Client()
    first = _post(alice, collective, idempotency_token="shared-key")
    again = _post(alice, collective, idempotency_token="shared-key")
    assert first["Location"] == again["Location"] and Contribution.objects.count() == 1  # a double submit
    other = _post(mallory, collective, idempotency_token="shared-key", email="m@example.org", name="M")
    assert other.status_code == 302 and other["Location"] != first["Location"]
    assert Contribution.objects.count() == 2
    alices = Contribution.objects.get(person__email="a@example.org")
    page = mallory.get(other["Location"]).content.decode()
    assert alices.public_id not in page and alices.receipt_number not in page


def test_api_keys_are_scoped_to_the_token_user(collective, api_token):
    alice, mallory = make_user(), make_user()
    body = {"amount": 2500, "payment_method": "demo", "idempotency_key": "k-1"}
    url = f"/api/v1/collectives/{collective.slug}/contributions"
    c = Client()
    a1 = c.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=api_token(alice)).json()
    a2 = c.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=api_token(alice)).json()
    m1 = c.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=api_token(mallory)).json()
    assert a1["id"] == a2["id"] != m1["id"]
    assert Contribution.objects.get(public_id=m1["id"]).person.email == mallory.email
    # An anonymous client with the same key and another email gets its own contribution too.
    anon = c.post(url, {**body, "email": "x@example.org"}, content_type="application/json").json()
    assert anon["id"] not in (a1["id"], m1["id"])
