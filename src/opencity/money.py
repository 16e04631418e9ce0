"""Money: an integer number of minor units and an ISO 4217 currency. No float ever touches money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel.core import Locale
from babel.numbers import format_currency, get_currency_precision
from django.utils.translation import get_language, to_locale

SUPPORTED_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK", "HUF", "JPY", "CAD", "AUD")
# Larger than any real contribution or expense; refuses absurd input before it reaches the database.
MAX_AMOUNT_MINOR = 10**11


class CurrencyMismatch(ValueError):
    pass


def currency_exponent(currency: str) -> int:
    return get_currency_precision(currency)


def is_known_currency(currency: str) -> bool:
    return isinstance(currency, str) and currency.upper() in SUPPORTED_CURRENCIES


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units (cents)
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money amount must be an int of minor units")
        if not isinstance(self.currency, str) or len(self.currency) != 3:
            raise ValueError("Currency must be a 3-letter ISO 4217 code")

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def as_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-currency_exponent(self.currency))

    def percent(self, percent: Decimal | int | str) -> Money:
        """`percent` % of this amount, rounded half-even to the minor unit."""
        share = (Decimal(self.amount) * Decimal(str(percent)) / Decimal(100)).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
        return Money(int(share), self.currency)

    def to_json(self) -> dict:
        return {"value": self.amount, "currency": self.currency}

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str | Decimal | int, currency: str) -> Money:
        """Parse a human amount ("12.50", "12,50") into minor units; ValueError when it is not one."""
        if isinstance(text, int) and not isinstance(text, bool):
            text = Decimal(text)
        raw = str(text).strip().replace(" ", "").replace("\u00a0", "")
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("not an amount") from None
        if not value.is_finite():
            raise ValueError("not an amount")
        exp = currency_exponent(currency)
        minor = value.scaleb(exp)
        if minor != minor.to_integral_value():
            raise ValueError("too many decimals")
        return cls(int(minor), currency.upper())


def format_money(money: Money, locale: str | None = None) -> str:
    loc = locale or to_locale(get_language() or "en")
    try:
        Locale.parse(loc)
    except Exception:  # noqa: BLE001 - unknown locale falls back to English formatting
        loc = "en"
    if loc == "en":
        loc = "en_IE"  # euro formatting as Europeans read it in English: €1,234.50
    return format_currency(money.as_decimal(), money.currency, locale=loc)
