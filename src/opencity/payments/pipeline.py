"""The seams of the one payment pipeline, kept in the lowest layer so nothing above has to import sideways.

Two small registries:

- **the settler**: what a provider calls when money arrived or a checkout was opened (`record_paid`,
  `record_renewal`, `set_checkout`). `contributions` installs its settlement functions here when Django
  starts, so `payments` never imports `contributions` (no import circle).
- **purpose handlers**: a contribution is paid *for* something — a gift, a membership, a ticket order.
  Settlement posts the money, then tells the owner of the purpose through `notify(purpose, event, payment)`
  ("paid", "refunded", "expired"), inside the same transaction. `events` registers the "ticket" purpose, so
  neither `payments` nor `contributions` ever imports `events`.

Webhook handlers of a processor that need the contribution models register themselves the same way
(`register_webhook_handlers`), and so does the callback that tells admins a settlement was blocked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAID = "paid"
REFUNDED = "refunded"
EXPIRED = "expired"
EVENTS = (PAID, REFUNDED, EXPIRED)


@dataclass(frozen=True)
class ProcessorRefund:
    """A refund as the processor made it: its id, the amount, and the part of its fee it gave back."""

    external_id: str
    amount: int
    fee_returned: int = 0
    status: str = "succeeded"  # pending and succeeded have left the processor's balance; failed/canceled not
    intent_key: str = ""  # our RefundIntent's key, when an admin asked for it (the processor echoes it back)


class RetryLater(Exception):
    """Raised by a webhook handler when the event cannot be handled yet (e.g. a refund of a charge whose payment
    is not recorded): it stays unprocessed and the processor is answered non-2xx, so it delivers it again."""


class SettlementBlocked(Exception):
    """Raised by a registered webhook handler when money cannot be posted yet (an admin must act first).

    The webhook stays unprocessed so the processor retries; `message` says why."""

    message: Any = ""


# --- the settler -------------------------------------------------------------------------------------

_settler: dict[str, Callable[..., Any]] = {}


def install_settler(**functions: Callable[..., Any]) -> None:
    """Called once by the app that owns payments-for-something (contributions) in its `ready()`."""
    _settler.update(functions)


def settler(name: str) -> Callable[..., Any]:
    try:
        return _settler[name]
    except KeyError:
        raise LookupError(f"no settlement function {name!r} installed") from None


# --- purposes ----------------------------------------------------------------------------------------

_purposes: dict[str, dict[str, Callable[..., Any]]] = {}


def register_purpose(
    purpose: str,
    *,
    paid: Callable[..., Any] | None = None,
    refunded: Callable[..., Any] | None = None,
    expired: Callable[..., Any] | None = None,
    return_url: Callable[..., str] | None = None,
    cancel_url: Callable[..., str] | None = None,
    describe: Callable[..., str] | None = None,
) -> None:
    """`paid(payment)`, `refunded(payment, amount=…)`, `expired(payment)`; each runs inside the settling
    transaction with the payment row locked, and must itself be idempotent (it may be told twice)."""
    pairs = (
        (PAID, paid),
        (REFUNDED, refunded),
        (EXPIRED, expired),
        ("return_url", return_url),
        ("cancel_url", cancel_url),
        ("describe", describe),
    )
    _purposes[purpose] = {k: v for k, v in pairs if v}


def purpose_url(purpose: str, which: str, payment) -> str | None:
    """Where the payer goes back to after (`return_url`) or instead of (`cancel_url`) paying, or what the
    payment is for in the books (`describe`); None: the payment owner's default."""
    handler = _purposes.get(purpose, {}).get(which)
    return handler(payment) if handler is not None else None


def has_handler(purpose: str, event: str) -> bool:
    return event in _purposes.get(purpose, {})


def notify(purpose: str, event: str, payment, **details) -> None:
    """Tell the owner of `purpose` that `payment` was paid / refunded / expired (no handler: nothing to do)."""
    if event not in EVENTS:
        raise ValueError(event)
    handler = _purposes.get(purpose, {}).get(event)
    if handler is not None:
        handler(payment, **details)


# --- webhooks ----------------------------------------------------------------------------------------

_webhook_handlers: dict[str, dict[str, Callable[[dict], str]]] = {}
_blocked_callbacks: dict[str, Callable[[dict, str], None]] = {}


def register_webhook_handlers(
    processor: str, handlers: dict[str, Callable[[dict], str]], *, on_blocked: Callable[[dict, str], None] | None = None
) -> None:
    _webhook_handlers.setdefault(processor, {}).update(handlers)
    if on_blocked is not None:
        _blocked_callbacks[processor] = on_blocked


def webhook_handler(processor: str, event_type: str) -> Callable[[dict], str] | None:
    return _webhook_handlers.get(processor, {}).get(event_type)


def webhook_blocked(processor: str, obj: dict, event_type: str) -> None:
    callback = _blocked_callbacks.get(processor)
    if callback is not None:
        callback(obj, event_type)
