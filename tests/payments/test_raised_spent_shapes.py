"""Issue 9 items 8 and 9: raised and spent are defined once (contributions net of their refunds), so the shape
of a refund never changes them; filters act on the kind each row shows (page, CSV, JSON, API)."""

import csv
import io
import json

import pytest
from django.test import Client

from opencity.contributions.models import Contribution
from opencity.ledger.services import funds_account
from opencity.transparency.selectors import collective_totals
from tests.conftest import make_collective
from tests.contributions.helpers import top_up

pytestmark = pytest.mark.django_db


def _card_gift(collective, fake_stripe, deliver) -> str:
    """A €25.00 card gift (Stripe fee 61, host fee 200) settled by its webhook; returns the charge id."""
    Client().post(
        f"/{collective.slug}/contribute",
        {"amount": "25", "payment_method": "stripe", "email": "card@example.org", "name": "Card Payer"},
    )
    c = Contribution.objects.filter(collective=collective).latest("id")
    session = fake_stripe.pay_session(c.external_checkout_id, fee=61)
    assert deliver("checkout.session.completed", session).status_code == 200
    return fake_stripe.charge_of(session)


def _figures(collective) -> tuple[int, int, int]:
    t = collective_totals(collective)
    assert t["total_raised"] - t["total_spent"] == t["balance"] == funds_account(collective).balance
    return t["total_raised"], t["total_spent"], t["balance"]


def test_every_refund_shape_gives_the_same_raised_spent_and_balance(host, fake_stripe, deliver, check_ledger):
    shapes = {}
    for shape in ("one go", "two halves", "three parts", "dispute"):
        collective = make_collective(host)
        top_up(collective, 2500, key=f"top-up-{collective.pk}")
        _card_gift(collective, fake_stripe, deliver)  # kept: the gift everybody keeps
        charge = _card_gift(collective, fake_stripe, deliver)  # refunded, in some shape
        if shape == "one go":
            deliver("charge.refunded", fake_stripe.refund(charge))
        elif shape == "two halves":
            deliver("charge.refunded", fake_stripe.refund(charge, amount=1250))
            deliver("charge.refunded", fake_stripe.refund(charge, amount=1250))
        elif shape == "three parts":
            for amount in (1000, 333, None):
                deliver("charge.refunded", fake_stripe.refund(charge, amount=amount))
        else:  # a chargeback (no dispute fee) moves what a refund moves, host fee given back included
            deliver("charge.dispute.created", fake_stripe.dispute(charge, fee=0))
        shapes[shape] = _figures(collective)
    # Raised: the top-up and the kept gift (2500 + 2500); spent: both card fees and the kept gift's host fee.
    expected = (5000, 61 + 61 + 200, 5000 - 322)  # the refunded gift's host fee is given back
    assert shapes == dict.fromkeys(shapes, expected), shapes
    check_ledger()


def test_a_failed_refund_restores_the_figures(host, fake_stripe, deliver):
    collective = make_collective(host)
    top_up(collective, 1000, key=f"top-up-{collective.pk}")
    charge = _card_gift(collective, fake_stripe, deliver)
    before = _figures(collective)
    deliver("charge.refunded", fake_stripe.refund(charge, amount=1000))
    refund_id = fake_stripe.objects[charge]["_refunds"][0]
    assert _figures(collective) != before
    deliver("charge.refund.updated", fake_stripe.refund_status(refund_id, "failed"))
    assert _figures(collective) == before


def _rows_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_kind_filter_finds_the_rows_labelled_with_that_kind(host, fake_stripe, deliver):
    collective = make_collective(host)
    _card_gift(collective, fake_stripe, deliver)
    client = Client()
    page = client.get(f"/{collective.slug}/transactions?kind=host_fee").content.decode()
    assert "Host fee" in page and "No transactions yet" not in page
    rows = _rows_csv(client.get(f"/{collective.slug}/transactions?kind=host_fee&format=csv"))
    assert [(r["kind"], r["amount_minor"]) for r in rows] == [("host_fee", "-200")]
    body = b"".join(client.get(f"/{collective.slug}/transactions?kind=host_fee&format=json").streaming_content)
    assert [r["kind"] for r in json.loads(body)["results"]] == ["host_fee"]
    api = client.get(f"/api/v1/collectives/{collective.slug}/transactions?kind=processor_fee").json()
    assert [(r["kind"], r["amount"]["value"]) for r in api["results"]] == [("processor_fee", -61)]
    api = client.get(f"/api/v1/collectives/{collective.slug}/transactions?kind=contribution").json()
    assert [(r["kind"], r["amount"]["value"]) for r in api["results"]] == [("contribution", 2500)]
