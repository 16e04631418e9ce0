"""Payment providers: small pluggable classes behind one registry, so the checkout never names a processor.

A provider has a `code` (also the ledger's processor code for its clearing and fee accounts), a `label`,
`is_available(host)`, `estimate_fee(amount)` and `start(contribution, request)`, which returns where to
send the contributor next (`redirect_url`) or what to tell them (`instructions`, e.g. a bank transfer).
A new provider is one module calling `register(...)`; nothing else changes. Providers of this app are
imported on first use; another app registers its own from its AppConfig.ready() (banking's bank transfer).
The checkout offers them by `position`: cards first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed
from opencity.payments.pipeline import ProcessorRefund


@dataclass
class StartResult:
    redirect_url: str = ""
    instructions: dict = field(default_factory=dict)


class PaymentProvider(ABC):
    code: str = ""
    position = 50
    label = ""
    description = ""
    supports_recurring = False
    # True when the contributor's own bank pushes the payments (a standing order): the membership check of
    # card processors leaves it alone, its provider's owner watches for missing payments.
    follows_own_schedule = False
    # Estimated processor fee, used to "cover the fees": basis points of the amount plus a fixed part.
    fee_basis_points = 0
    fee_fixed = 0

    def is_available(self, host) -> bool:  # pragma: no cover - interface
        return False

    def estimate_fee(self, amount: int) -> int:
        """Estimated fee in minor units, rounded up (integer math: ceil(amount × bp / 10000) + fixed)."""
        return -(-amount * self.fee_basis_points // 10000) + self.fee_fixed

    @abstractmethod
    def start(self, contribution, request) -> StartResult:
        """Begin paying `contribution`: where to send the contributor, or what to tell them."""

    def instructions(self, contribution) -> dict:
        """What the contributor must still do themselves (e.g. a bank transfer's details); empty for most."""
        return {}

    def cancel_recurring(self, recurring) -> None:
        """Stop future payments at the processor (nothing to do for processors that do not pull money)."""
        return None

    def refund(self, contribution, *, amount: int, idempotency_key: str):
        """Give `amount` back at the processor; returns a `ProcessorRefund` (its id, amount, and the part of
        the processor's fee it returned). The default, for processors that keep their fee (the demo card):
        our key is the refund's id and no fee comes back. Posted in the ledger by the caller."""
        return ProcessorRefund(external_id=idempotency_key, amount=amount, fee_returned=0)


_registry: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> PaymentProvider:
    _registry[provider.code] = provider
    return provider


def get(code: str) -> PaymentProvider:
    _load()
    try:
        return _registry[code]
    except KeyError:
        raise ValidationFailed(
            _("Unknown payment method."), code="unknown_payment_method", field="payment_method"
        ) from None


def available(host, *, recurring: bool = False) -> list[PaymentProvider]:
    _load()
    return sorted(
        (p for p in _registry.values() if p.is_available(host) and (p.supports_recurring or not recurring)),
        key=lambda p: p.position,
    )


def _load() -> None:
    """Import (and so register) this app's providers."""
    import importlib

    for name in ("demo", "stripe_card"):
        importlib.import_module(f"opencity.payments.providers.{name}")
