"""Issue 8 item 6: an organisation's gift names the organisation on every public surface (contributors
wall, messages, transactions page, CSV, JSON, API) — never the individual behind it."""

import json

import pytest

from tests.conftest import make_user
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db

ORG, PERSON = "Boulangerie Dansaert SRL", "Youssef Benali"


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_organisation_is_the_counterparty_everywhere(client, collective):
    youssef = make_user("youssef@example.org", name=PERSON)
    give(collective, user=youssef, name=PERSON, organisation_name=ORG, public_message="Bon courage !")
    slug = collective.slug

    surfaces = {
        "profile": client.get(f"/{slug}/").content.decode(),
        "transactions": client.get(f"/{slug}/transactions").content.decode(),
        "csv": _streamed(client.get(f"/{slug}/transactions?format=csv")),
        "json": _streamed(client.get(f"/{slug}/transactions?format=json")),
        "api transactions": client.get(f"/api/v1/collectives/{slug}/transactions").content.decode(),
        "api contributors": client.get(f"/api/v1/collectives/{slug}/contributors").content.decode(),
    }
    for where, text in surfaces.items():
        assert ORG in text, where
        assert PERSON not in text and "Youssef" not in text, where
    rows = json.loads(surfaces["json"])["results"]
    assert [r["counterparty"] for r in rows if r["kind"] == "contribution"] == [ORG]
