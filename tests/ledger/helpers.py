"""Small helpers for ledger tests: money in through the real services."""

import itertools

from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind

_keys = itertools.count(1)


def key(prefix: str = "t") -> str:
    return f"{prefix}:{next(_keys)}"


def contribute(collective, amount: int, *, fee: int = 0, processor: str = "stripe", **kwargs):
    """A card (or bank) contribution with its processor fee and the host fee, as contributions post it."""
    host = collective.host
    return ledger.record_incoming_payment(
        collective=collective,
        amount=amount,
        idempotency_key=kwargs.pop("idempotency_key", None) or key("contribution"),
        source_account=ledger.host_account(host, AccountKind.CLEARING, processor),
        processor_fee=fee,
        processor_fee_account=ledger.host_account(host, AccountKind.PROCESSOR_FEES, processor) if fee else None,
        **kwargs,
    )


def spend(collective, amount: int, *, idempotency_key: str | None = None):
    """Money out of the collective's funds (as an expense payment posts it)."""
    host = collective.host
    return ledger.post_journal(
        host=host,
        idempotency_key=idempotency_key or key("expense"),
        kind="expense",
        legs=[
            ledger.Leg(ledger.funds_account(collective), ledger.host_account(host, AccountKind.BANK), amount, "expense")
        ],
    )


def balance(collective) -> int:
    return ledger.funds_account(collective).balance
