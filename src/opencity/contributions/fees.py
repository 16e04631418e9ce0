"""Fee arithmetic in integer minor units (no float): what the collective receives, and "cover the fees"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from opencity.ledger.services import host_fee_for


def net_for(*, collective, amount: int, provider) -> int:
    """What the collective keeps from `amount` after the host fee and the provider's estimated fee."""
    return amount - host_fee_for(collective, amount) - provider.estimate_fee(amount)


def amount_covering_fees(*, collective, intended: int, provider) -> int:
    """The smallest amount T such that T − host fee(T) − estimated processor fee(T) ≥ `intended`.

    With h the host fee and p the processor rate in basis points and f the fixed processor fee,
    T ≈ ceil((intended + f) × 10000 / (10000 − h − p)); rounding of each fee (half-even for the host
    fee, up for the processor's) can leave it a cent short, so we step up until the net is reached.
    """
    host_bp = 0 if collective.is_host_profile else int(Decimal(collective.effective_host_fee_percent) * 100)
    denominator = 10000 - host_bp - provider.fee_basis_points
    if denominator <= 0:
        return intended
    total = -(-(intended + provider.fee_fixed) * 10000 // denominator)
    total = max(total, intended)
    while net_for(collective=collective, amount=total, provider=provider) < intended:
        total += 1
    return total


@dataclass(frozen=True)
class Breakdown:
    """What a contributor sees before paying: charged, each fee, and what the collective receives."""

    charged: int
    covered: int  # the part of `charged` added to cover the fees
    processor_fee: int
    host_fee: int
    received: int
    currency: str
    host_fee_percent: Decimal


def checkout_breakdown(*, collective, amount: int, provider, cover_fees: bool) -> Breakdown:
    """The same arithmetic as the checkout service and settlement (host fee on the charged amount,
    the processor's estimated fee), in integer minor units."""
    charged = amount_covering_fees(collective=collective, intended=amount, provider=provider) if cover_fees else amount
    host_fee = host_fee_for(collective, charged)
    processor_fee = provider.estimate_fee(charged)
    return Breakdown(
        charged=charged,
        covered=charged - amount,
        processor_fee=processor_fee,
        host_fee=host_fee,
        received=charged - host_fee - processor_fee,
        currency=collective.currency,
        host_fee_percent=Decimal(0) if collective.is_host_profile else Decimal(collective.effective_host_fee_percent),
    )
