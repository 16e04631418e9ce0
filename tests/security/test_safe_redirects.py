"""Issue 8 item 7: every `next` goes through `opencity.core.redirects.safe_next` (login, language, expenses,
memberships); the membership cancel page no longer follows `next=https://evil.example/`."""

import pytest
from django.test import RequestFactory

from opencity.contributions import services
from opencity.contributions.models import Tier
from opencity.core.redirects import is_safe_next
from tests.conftest import PASSWORD
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "http:evil.example",
    "https://testserver.evil.example/",
]


@pytest.mark.parametrize("target", EVIL)
def test_the_helper_refuses_other_sites(target):
    assert not is_safe_next(RequestFactory().get("/"), target)


@pytest.mark.parametrize("target", ["/collectives/", "/fr/contributions/mine?x=1", "http://testserver/x"])
def test_the_helper_keeps_our_own_pages(target):
    assert is_safe_next(RequestFactory().get("/"), target)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_cancelling_a_membership_never_redirects_elsewhere(client, collective, collective_admin, target):
    tier = services.tier_create(
        collective=collective,
        by=collective_admin,
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )
    rec = give(collective, amount=None, tier=tier.slug, name="Mia").recurring
    client.login(email=collective_admin.email, password=PASSWORD)
    r = client.post(f"/memberships/{rec.public_id}/cancel", {"next": target})
    assert r.status_code == 302 and r["Location"] == "/contributions/mine"
    rec.refresh_from_db()
    assert rec.status == "cancelled"
    r = client.post(f"/memberships/{rec.public_id}/cancel", {"next": f"/{collective.slug}/contributions"})
    assert r["Location"] == f"/{collective.slug}/contributions"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_language_switch_never_redirects_elsewhere(client, target):
    r = client.post("/i18n/setlang/", {"language": "fr", "next": target})
    assert r.status_code == 302 and "evil" not in r["Location"]
