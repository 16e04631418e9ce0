"""ECB euro reference rates, to show a contribution in other currencies for information (never to convert money)."""

from __future__ import annotations

import datetime as dt
import urllib.request
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from lxml import etree

from opencity.contributions.models import ExchangeRate
from opencity.money import Money, currency_exponent

ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
SHIPPED = Path(__file__).parent / "data" / "eurofxref-daily.xml"
DISPLAY_CURRENCIES = ("USD", "GBP", "CHF")
_NS = {"e": "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"}


class RatesUnavailable(Exception):
    pass


def parse_ecb(xml: bytes) -> tuple[dt.date, dict[str, Decimal]]:
    """(date, {currency: units per euro}) from an ECB eurofxref document; RatesUnavailable if it is not one."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml, parser)
        day = root.find(".//e:Cube[@time]", _NS)
        date = dt.date.fromisoformat(day.get("time"))
        rates = {c.get("currency"): Decimal(c.get("rate")) for c in day.findall("e:Cube[@currency]", _NS)}
    except Exception as exc:  # noqa: BLE001 - anything unexpected means "not usable"
        raise RatesUnavailable(str(exc)) from exc
    if not rates or any(r <= 0 for r in rates.values()):
        raise RatesUnavailable("no rates")
    return date, rates


@lru_cache(maxsize=1)
def shipped_rates() -> tuple[dt.date, dict[str, Decimal]]:
    return parse_ecb(SHIPPED.read_bytes())


def rates_fetch(*, url: str = ECB_URL, timeout: int = 10) -> tuple[dt.date, dict[str, Decimal]]:
    request = urllib.request.Request(url, headers={"User-Agent": "OpenCity rates_refresh"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed https URL
        return parse_ecb(response.read(2_000_000))


@transaction.atomic
def rates_store(date: dt.date, rates: dict[str, Decimal]) -> int:
    now = timezone.now()
    for currency, rate in rates.items():
        ExchangeRate.objects.update_or_create(
            currency=currency, defaults={"rate": rate, "date": date, "fetched_at": now}
        )
    return len(rates)


def current_rates() -> tuple[dt.date, dict[str, Decimal]]:
    """The stored rates, or the shipped copy when none were fetched yet (offline)."""
    stored = list(ExchangeRate.objects.all())
    if stored:
        return max(r.date for r in stored), {r.currency: r.rate for r in stored}
    return shipped_rates()


def convert_for_display(money: Money, targets=DISPLAY_CURRENCIES) -> list[Money]:
    """`money` expressed in other currencies (via the euro), rounded to each one's minor unit."""
    date, rates = current_rates()
    rates = {**rates, "EUR": Decimal(1)}
    if money.currency not in rates:
        return []
    euros = money.as_decimal() / rates[money.currency]
    out = []
    for cur in targets:
        if cur == money.currency or cur not in rates:
            continue
        exp = currency_exponent(cur)
        value = (euros * rates[cur]).scaleb(exp).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        out.append(Money(int(value), cur))
    return out
