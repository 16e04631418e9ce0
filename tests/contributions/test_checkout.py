"""Checkout: validation (nothing saved on bad input), demo card settlement, fees, idempotent double-submit."""

import pytest
from django.urls import reverse

from opencity.contributions import services
from opencity.contributions.models import Contribution, ContributionEvent, Tier
from opencity.contributions.services import CheckoutRequest
from opencity.core.errors import DomainError
from opencity.ledger.models import Journal, TransferKind
from opencity.ledger.services import funds_account

pytestmark = pytest.mark.django_db


def _post(client, collective, **data):
    base = {"amount": "25", "payment_method": "demo", "email": "gift@example.org", "name": "Gift Giver"}
    base.update(data)
    return client.post(reverse("contributions:checkout", args=[collective.slug]), base)


def test_demo_card_gift_settles_with_fees_and_receipt(
    client, collective, mailoutbox, check_ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, collective, idempotency_token="tok-1")
    c = Contribution.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contributions:thanks", args=[c.public_id])
    assert c.status == "paid" and c.amount == 2500
    assert c.processor_fee == 25 + 38  # 1.5 % of 2500 rounded up, plus 0.25
    assert c.host_fee == 200  # 8 %
    assert funds_account(collective).balance == 2500 - 63 - 200
    kinds = sorted(c.journal.transfers.values_list("kind", flat=True))
    assert kinds == sorted([TransferKind.CONTRIBUTION, TransferKind.PROCESSOR_FEE, TransferKind.HOST_FEE])
    assert c.receipt_number.endswith("-000001")
    assert [e.to_status for e in ContributionEvent.objects.filter(contribution=c)] == ["pending", "paid"]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert c.receipt_number in mail.subject
    assert mail.to == ["gift@example.org"]
    assert mail.attachments[0][0].endswith(".pdf") and mail.attachments[0][1][:4] == b"%PDF"
    page = client.get(response.url)
    assert b"Thank you" in page.content
    check_ledger()


def test_double_submit_creates_one_contribution(client, collective, check_ledger):
    for _ in range(3):
        response = _post(client, collective, idempotency_token="same-token")
        assert response.status_code == 302
    assert Contribution.objects.count() == 1
    assert Journal.objects.filter(source_type="contribution").count() == 1
    check_ledger()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "0.50"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "99999999999999"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "USD"}, "currency"),
        ({"payment_method": "stripe"}, "payment_method"),
        ({"payment_method": "bogus"}, "payment_method"),
        ({"organisation_name": "ACME", "organisation_vat": "BE0123456789"}, "organisation_vat"),
        ({"organisation_vat": "BE0403170701"}, "organisation_name"),
        ({"interval": "weekly"}, "interval"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(client, collective, data, field):
    response = _post(client, collective, **data)
    assert response.status_code == 400
    assert f'data-field="{field}"'.encode() in response.content
    assert Contribution.objects.count() == 0
    assert Journal.objects.count() == 0


def test_unknown_tier_is_404_on_the_page_and_refused_by_the_service(client, collective):
    assert client.get(f"/{collective.slug}/contribute/nope").status_code == 404
    with pytest.raises(DomainError) as exc:
        services.contribution_create(
            collective=collective,
            data=CheckoutRequest(amount=1000, tier="nope", payment_method="demo", email="a@example.org"),
        )
    assert exc.value.code == "unknown_tier"
    assert Contribution.objects.count() == 0


def test_tier_minimum_and_fixed_amount(client, collective, collective_admin):
    tier = services.tier_create(
        collective=collective, by=collective_admin, name="Supporter", presets=[1000, 2000], minimum=1000
    )
    response = client.post(
        f"/{collective.slug}/contribute/{tier.slug}",
        {"amount": "5", "payment_method": "demo", "email": "a@example.org"},
    )
    assert response.status_code == 400 and b"minimum" in response.content
    member = services.tier_create(
        collective=collective,
        by=collective_admin,
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )
    response = client.post(
        f"/{collective.slug}/contribute/{member.slug}",
        {"amount": "1", "payment_method": "demo", "email": "m@example.org"},
    )
    assert response.status_code == 302
    c = Contribution.objects.get()
    assert c.amount == 1000 and c.interval == "month" and c.recurring.status == "active"


def test_cover_fees_gives_the_collective_the_intended_amount(client, collective):
    response = _post(client, collective, amount="20", cover_fees="on")
    assert response.status_code == 302
    c = Contribution.objects.get()
    assert c.amount - c.processor_fee - c.host_fee >= 2000
    assert c.amount - 1 - c.processor_fee - c.host_fee < 2000 + 1  # smallest such amount (within a cent)
    assert c.covered_fees == c.amount - 2000


def test_organisation_with_valid_vat(client, collective):
    response = _post(
        client,
        collective,
        organisation_name="ACME SRL",
        organisation_website="https://acme.example",
        organisation_vat="BE 0403.170.701",
        anonymous="",
    )
    assert response.status_code == 302
    c = Contribution.objects.get()
    assert c.organisation_vat == "0403170701" or c.organisation_vat.endswith("0403170701")
    page = client.get(f"/{collective.slug}/")
    assert b"ACME SRL" in page.content
    assert b"gift@example.org" not in page.content


def test_without_stripe_keys_only_demo_is_offered(client, collective, settings):
    page = client.get(f"/{collective.slug}/contribute")
    assert b'value="demo"' in page.content and b'value="stripe"' not in page.content
    settings.DEMO_MODE = False
    page = client.get(f"/{collective.slug}/contribute")
    assert b'value="demo"' not in page.content


def test_admin_creates_and_archives_tiers_from_the_page(client, collective, collective_admin):
    from django.test import Client

    assert client.get(f"/{collective.slug}/contributions").status_code == 302  # login first
    admin = Client()
    admin.force_login(collective_admin)
    r = admin.post(
        f"/{collective.slug}/contributions",
        {
            "name": "Friend",
            "type": "donation",
            "amount_type": "flexible",
            "presets": "10 25 50",
            "minimum": "5",
            "interval": "once",
        },
    )
    assert r.status_code == 302
    tier = Tier.objects.get()
    assert tier.presets == [1000, 2500, 5000] and tier.minimum == 500
    bad = admin.post(
        f"/{collective.slug}/contributions",
        {
            "name": "Club",
            "type": "membership",
            "amount_type": "fixed",
            "amount": "",
            "minimum": "5",
            "interval": "once",
        },
    )
    assert bad.status_code == 200 and Tier.objects.count() == 1
    assert b"/contribute/friend" in client.get(f"/{collective.slug}/").content
    admin.post(f"/{collective.slug}/contributions", {"action": "archive", "tier": tier.public_id})
    assert b"/contribute/friend" not in client.get(f"/{collective.slug}/").content


@pytest.mark.django_db(transaction=True)
def test_double_submit_concurrently_creates_one_contribution(check_ledger):
    import threading

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import Client

    from tests.conftest import make_collective, make_host

    collective = make_collective(make_host())
    statuses, barrier = [], threading.Barrier(6)
    session = SessionStore()
    session.create()  # one browser submitting six times: idempotency keys belong to its session

    def worker():
        try:
            browser = Client()
            browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
            barrier.wait()
            statuses.append(_post(browser, collective, idempotency_token="race-token").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 6
    assert Contribution.objects.count() == 1
    assert Journal.objects.filter(source_type="contribution").count() == 1
    check_ledger()


def test_thanks_page_shows_the_receipt_number_only_to_its_browser(client, collective):
    from django.test import Client

    response = _post(client, collective)
    c = Contribution.objects.get()
    assert c.receipt_number.encode() in client.get(response.url).content
    other = Client().get(response.url)
    assert other.status_code == 200 and c.receipt_number.encode() not in other.content
