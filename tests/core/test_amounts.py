"""Issue 9 item 10: one amount parser for every amount field (forms and API), a per-host maximum for one
contribution, clear translated errors — never a 500, never an exponent."""

import pytest
from django.test import Client
from django.utils import timezone, translation

from opencity.contributions.models import Contribution
from opencity.ledger.models import Journal
from opencity.money import MAX_AMOUNT_MINOR, InvalidAmount, Money, parse_amount
from tests.conftest import enable_2fa


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12", "EUR", 1200), ("12.5", "EUR", 1250), ("12,50", "EUR", 1250), (" 7 ", "EUR", 700), ("0", "EUR", 0),
     ("1000000000", "EUR", MAX_AMOUNT_MINOR), ("500", "JPY", 500), ("007.10", "EUR", 710)],
)  # fmt: skip
def test_amounts_that_are_amounts(text, currency, minor):
    assert parse_amount(text, currency) == minor == Money.parse(text, currency).amount


@pytest.mark.parametrize(
    ("text", "code"),
    [("1e3", "invalid_amount"), ("1e999999999", "invalid_amount"), ("1E+3", "invalid_amount"),
     ("-5", "amount_not_positive"), ("+5", "invalid_amount"), ("12.345", "too_many_decimals"), ("1,000.50", "invalid_amount"),
     ("NaN", "invalid_amount"), ("Infinity", "invalid_amount"), ("", "invalid_amount"), ("12.", "invalid_amount"),
     (".5", "invalid_amount"), ("٣", "invalid_amount"), ("1000000000.01", "amount_too_large"),
     ("9" * 30, "amount_too_large"), ("9" * 5000, "invalid_amount"), ("0x10", "invalid_amount")],
)  # fmt: skip
def test_amounts_that_are_not(text, code):
    with pytest.raises(InvalidAmount) as exc:
        parse_amount(text, "EUR")
    assert exc.value.code == code
    with pytest.raises(ValueError):  # the old entry point refuses them the same way
        Money.parse(text, "EUR")


def test_currency_decimals_and_translated_message():
    with pytest.raises(InvalidAmount) as exc:
        parse_amount("5.5", "JPY")
    assert exc.value.code == "too_many_decimals"
    with translation.override("fr"), pytest.raises(InvalidAmount) as exc:
        parse_amount("abc", "EUR")
    assert "montant" in str(exc.value.message)


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1e999999999", "1e3", "12.345", "-1"])
def test_added_funds_form_refuses_without_a_500(client, collective, host_admin, amount):
    host = collective.host
    client.force_login(enable_2fa(host_admin))
    r = client.post(
        f"/{host.slug}/admin/ledger/added-funds",
        {
            "collective": collective.slug,
            "amount": amount,
            "source": "Sponsor",
            "description": "Grant",
            "date": timezone.localdate().isoformat(),
            "token": "t",
        },
    )
    assert r.status_code == 400 and not Journal.objects.exists()


@pytest.mark.django_db
def test_per_host_maximum_for_one_contribution(client, collective, settings, api_token):
    settings.DEMO_MODE = True
    host = collective.host
    assert host.max_contribution == 2_500_000  # sensible default: €25,000
    data = {"amount": "1000000000", "payment_method": "demo", "email": "rich@example.org", "name": "Rich"}
    r = client.post(f"/{collective.slug}/contribute", data)
    assert r.status_code in (200, 400) and not Contribution.objects.exists()
    assert "largest contribution" in r.content.decode()
    r = Client().post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        {"amount": 2_500_001, "payment_method": "demo", "email": "rich@example.org", "name": "Rich"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "amount_too_large" and not Contribution.objects.exists()
    # The host raises its limit (settings page): the same gift goes through.
    admin = client
    admin.force_login(host.admins.first())
    r = admin.post(
        f"/{host.slug}/admin/settings",
        {"legal_name": host.legal_name, "default_host_fee_percent": "8", "membership_grace_days": "14",
         "max_contribution": "30000"},
    )  # fmt: skip
    assert r.status_code == 302
    host.refresh_from_db()
    assert host.max_contribution == 3_000_000
    r = Client().post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        {"amount": 2_500_001, "payment_method": "demo", "email": "rich@example.org", "name": "Rich"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = admin.post(
        f"/{host.slug}/admin/settings",
        {"legal_name": host.legal_name, "default_host_fee_percent": "8", "membership_grace_days": "14",
         "max_contribution": "1e3"},
    )  # fmt: skip
    assert r.status_code == 200 and "Enter an amount such as 25" in r.content.decode()
    host.refresh_from_db()
    assert host.max_contribution == 3_000_000
