"""Issue 9 item 1: receipt numbers are unique per host, and failing to number a receipt never blocks money."""

import pytest
from django.db import connection
from django.utils import timezone

from opencity.contributions.models import Contribution
from opencity.contributions.receipts import receipts_number_missing
from opencity.core.errors import ValidationFailed
from opencity.hosting import services as hosting
from opencity.ledger.services import funds_account
from tests.conftest import make_collective, make_host

pytestmark = pytest.mark.django_db


def _pay_by_card(client, collective, fake_stripe, deliver, email):
    client.post(
        f"/{collective.slug}/contribute",
        {"amount": "25", "payment_method": "stripe", "email": email, "name": "Card Payer"},
    )
    c = Contribution.objects.filter(collective=collective).latest("pk")
    session = fake_stripe.pay_session(c.external_checkout_id, fee=61)
    response = deliver("checkout.session.completed", session)
    c.refresh_from_db()
    return response, c, session


def test_two_hosts_with_the_same_initials_both_take_card_payments(
    client, fake_stripe, deliver, check_ledger, mailoutbox, django_capture_on_commit_callbacks
):
    brussels = make_host(name="BrusselsTogether", slug="brussels-together")
    bruxelles = make_host(name="Bruxelles Tous", slug="bruxelles-tous")
    assert (brussels.receipt_prefix, bruxelles.receipt_prefix) == ("BT", "BT2")
    year = timezone.localdate().year
    numbers = []
    for host in (brussels, bruxelles):
        collective = make_collective(host)
        with django_capture_on_commit_callbacks(execute=True):
            response, c, _session = _pay_by_card(client, collective, fake_stripe, deliver, f"p@{host.slug}.org")
        assert response.status_code == 200 and c.status == "paid"
        numbers.append(c.receipt_number)
    assert numbers == [f"BT-{year}-000001", f"BT2-{year}-000001"]
    assert len(mailoutbox) == 2 and numbers[1] in mailoutbox[1].subject
    check_ledger()


def test_a_receipt_number_that_clashes_never_blocks_recording_the_money(
    client, fake_stripe, deliver, check_ledger, django_capture_on_commit_callbacks, mailoutbox
):
    host = make_host(name="Bruxelles Tous")
    collective = make_collective(host)
    year = timezone.localdate().year
    # Someone else's receipt already carries the number this host's first payment would get.
    other = make_collective(make_host())
    _response, squatter, _ = _pay_by_card(client, other, fake_stripe, deliver, "first@example.org")
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE contributions_contribution SET receipt_number = %s WHERE id = %s",
            [f"{host.receipt_prefix}-{year}-000001", squatter.pk],
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response, c, session = _pay_by_card(client, collective, fake_stripe, deliver, "second@example.org")
    assert response.status_code == 200
    assert c.status == "paid" and c.journal_id and c.receipt_number is None
    assert funds_account(collective).balance == 2500 - 61 - 200
    assert mailoutbox == []  # no receipt without a number
    # The same event again: still recorded once, still 200.
    assert deliver("checkout.session.completed", session).status_code == 200
    assert Contribution.objects.filter(collective=collective, journal__isnull=False).count() == 1
    check_ledger()
    # Later the clash is gone (fixed by hand); the daily retry numbers it, gap-free, and sends the receipt.
    with connection.cursor() as cur:
        cur.execute("UPDATE contributions_contribution SET receipt_number = %s WHERE id = %s", ["X-1", squatter.pk])
    assert receipts_number_missing() == 1
    c.refresh_from_db()
    assert c.receipt_number == f"{host.receipt_prefix}-{year}-000001"
    assert len(mailoutbox) == 1 and c.receipt_number in mailoutbox[0].subject
    assert receipts_number_missing() == 0
    check_ledger()


def test_a_host_cannot_take_another_hosts_prefix(db):
    first = make_host(name="BrusselsTogether")
    second = make_host(name="Gent Samen")
    admin = second.admins.first()
    with pytest.raises(ValidationFailed) as exc:
        hosting.host_update(host=second, by=admin, receipt_prefix="bt")
    assert exc.value.code == "receipt_prefix_taken"
    with pytest.raises(ValidationFailed) as exc:
        hosting.host_update(host=second, by=admin, receipt_prefix="B-T")
    assert exc.value.code == "invalid_receipt_prefix"
    hosting.host_update(host=second, by=admin, receipt_prefix="gs26")
    second.refresh_from_db()
    assert second.receipt_prefix == "GS26" and first.receipt_prefix == "BT"


def test_the_api_and_the_settings_page_edit_the_prefix(client, api_token):
    host = make_host(name="Gent Samen")
    make_host(name="Brussels Together")
    admin = host.admins.first()
    r = client.patch(
        f"/api/v1/hosts/{host.slug}",
        {"receipt_prefix": "BT"},
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token(admin),
    )
    assert r.status_code == 400 and r.json()["code"] == "receipt_prefix_taken"
    r = client.patch(
        f"/api/v1/hosts/{host.slug}",
        {"receipt_prefix": "GS"},
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token(admin),
    )
    assert r.status_code == 200 and r.json()["receipt_prefix"] == "GS"
