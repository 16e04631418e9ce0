"""Money: an integer number of minor units and an ISO 4217 currency. No float ever touches money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from babel.core import Locale
from babel.numbers import format_currency, get_currency_precision
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

SUPPORTED_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK", "HUF", "JPY", "CAD", "AUD")
# Larger than any real contribution or expense; refuses absurd input before it reaches the database.
MAX_AMOUNT_MINOR = 10**11


class CurrencyMismatch(ValueError):
    pass


class InvalidAmount(ValueError):
    """An amount a person typed that is not one: `message` is translated, `code` stable for API clients."""

    def __init__(self, message, code: str = "invalid_amount"):
        super().__init__(str(message))
        self.message = message
        self.code = code


_AMOUNT_RE = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?")


def parse_amount(text: str | Decimal | int, currency: str, *, maximum: int = MAX_AMOUNT_MINOR) -> int:
    """The one amount parser for forms and API: digits, optionally one `.` or `,` and at most the currency's
    decimals ("12", "12.5", "12,50"); no sign, exponent, thousands separator or other text. Returns minor
    units (0 allowed: callers refuse it where it makes no sense); refuses more than `maximum` minor units.
    Pure integer arithmetic: nothing can overflow, nothing is rounded."""
    if isinstance(text, bool):
        raise InvalidAmount(_("Enter an amount such as 25 or 12.50."))
    if isinstance(text, int):
        text = str(text)
    elif isinstance(text, Decimal):
        if not text.is_finite():
            raise InvalidAmount(_("Enter an amount such as 25 or 12.50."))
        text = format(text, "f")
    raw = str(text).strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    exp = currency_exponent(currency)
    m = _AMOUNT_RE.fullmatch(raw) if len(raw) <= 40 else None
    if m is None and raw.startswith("-") and _AMOUNT_RE.fullmatch(raw[1:]):
        raise InvalidAmount(_("The amount must be more than zero."), "amount_not_positive")
    if m is None:
        raise InvalidAmount(_("Enter an amount such as 25 or 12.50."))
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > exp:
        if exp == 0:
            raise InvalidAmount(_("This currency has no decimals."), "too_many_decimals")
        raise InvalidAmount(
            _("Use at most %(n)d decimals.") % {"n": exp},
            "too_many_decimals",
        )
    whole = whole.lstrip("0") or "0"
    if len(whole) > 15:
        raise InvalidAmount(_("This amount is too large."), "amount_too_large")
    minor = int(whole) * 10**exp + (int(frac.ljust(exp, "0")) if exp else 0)
    if minor > maximum:
        raise InvalidAmount(
            _("This amount is too large: the largest accepted here is %(max)s.")
            % {"max": format_money(Money(maximum, currency.upper()))},
            "amount_too_large",
        )
    return minor


def currency_exponent(currency: str) -> int:
    return get_currency_precision(currency)


def decimal_text(amount: int, currency: str) -> str:
    """`str(Money(amount, currency).as_decimal())` without building a Money: "-0.33", "60.00" (exports)."""
    return str(Decimal(amount).scaleb(-currency_exponent(currency)))


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
        """Parse a human amount ("12.50", "12,50") into minor units; InvalidAmount (a ValueError) when it is
        not one. The one parser of every amount typed by a person: see `parse_amount`."""
        return cls(parse_amount(text, currency), currency.upper())


def format_money(money: Money, locale: str | None = None) -> str:
    loc = locale or to_locale(get_language() or "en")
    try:
        Locale.parse(loc)
    except Exception:  # noqa: BLE001 - unknown locale falls back to English formatting
        loc = "en"
    if loc == "en":
        loc = "en_IE"  # euro formatting as Europeans read it in English: €1,234.50
    return format_currency(money.as_decimal(), money.currency, locale=loc)
