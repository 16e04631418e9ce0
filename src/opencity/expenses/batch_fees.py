"""The bank's charge for a payout file, shared by the collectives whose expenses it paid.

Posted when a host admin confirms the file paid, as one journal linked to the batch (source "payout_batch"):
one BANK_FEE leg per collective, from its funds to the host's bank account, each share proportional to what
the file paid for that collective (largest-remainder rounding on integers: the shares add up exactly).
All or nothing: if one collective cannot cover its share, nothing is posted. At most once per batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, ValidationFailed
from opencity.expenses.models import PayoutBatch, PayoutLine
from opencity.ledger import phrases
from opencity.ledger import services as ledger
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import AccountKind, Journal, TransferKind
from opencity.money import MAX_AMOUNT_MINOR, Money, format_money


def split_proportionally(total: int, weights: list[tuple[Hashable, int]]) -> dict[Hashable, int]:
    """Split `total` minor units in proportion to the weights, in integers, summing exactly to `total`.

    Each key gets floor(total × weight / sum); the units left over go one each to the keys with the
    largest remainders (ties: the order given). Keys with a zero weight get nothing.
    """
    whole = sum(w for _k, w in weights)
    if total < 0 or whole <= 0 or any(w < 0 for _k, w in weights):
        raise ValueError("a non-negative total over positive weights")
    shares = {k: total * w // whole for k, w in weights}
    left = total - sum(shares.values())
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i][1] % whole), i))
    for i in by_remainder[:left]:
        shares[weights[i][0]] += 1
    return shares


def fee_key(batch: PayoutBatch) -> str:
    return f"payout-batch:{batch.public_id}:bank-fee"


def batch_fee_journal(batch: PayoutBatch) -> Journal | None:
    return Journal.objects.filter(idempotency_key=fee_key(batch)).first()


def validate_fee(bank_fee) -> int:
    if isinstance(bank_fee, bool) or not isinstance(bank_fee, int) or bank_fee < 0 or bank_fee > MAX_AMOUNT_MINOR:
        raise ValidationFailed(_("The bank fee must be zero or more."), code="invalid_fee", field="bank_fee")
    return bank_fee


def post_batch_fee(*, batch: PayoutBatch, bank_fee: int, by, paid_on: dt.date) -> Journal | None:
    """Inside the caller's transaction, with the batch locked. Returns the fee journal (None if no fee)."""
    if not bank_fee:
        return None
    existing = batch_fee_journal(batch)
    if existing is not None:
        recorded = sum(t.amount for t in existing.transfers.all())
        if recorded != bank_fee:
            raise Conflict(
                _("A bank fee of %(fee)s was already recorded for this payout file.")
                % {"fee": format_money(Money(recorded, batch.currency))},
                code="fee_already_recorded",
            )
        return existing
    paid: dict[int, int] = {}
    collectives = {}
    lines = batch.lines.filter(status=PayoutLine.Status.PAID).select_related("expense__collective").order_by("pk")
    for line in lines:
        collective = line.expense.collective
        collectives[collective.pk] = collective
        paid[collective.pk] = paid.get(collective.pk, 0) + line.amount
    if not paid:
        raise Conflict(
            _("No expense in this payout file was paid: there is nothing to charge the fee to."), code="no_paid_lines"
        )
    shares = split_proportionally(bank_fee, list(paid.items()))
    bank = ledger.host_account(batch.host, AccountKind.BANK)
    legs = []
    for pk, share in shares.items():
        if not share:
            continue
        funds = ledger.funds_account(collectives[pk])
        if funds.balance < share:
            raise _cannot_cover(batch, collectives[pk], funds.balance, share)
        legs.append(ledger.Leg(funds, bank, share, TransferKind.BANK_FEE, ""))
    try:
        return ledger.post_journal(
            host=batch.host,
            idempotency_key=fee_key(batch),
            kind=TransferKind.BANK_FEE,
            legs=legs,
            description="",
            facts=phrases.facts(phrases.PAYOUT_FILE_BANK_FEE),
            effective_date=paid_on,
            source_type="payout_batch",
            source_id=batch.public_id,
            created_by=by,
        )
    except InsufficientFunds:  # spent between our read and the lock
        raise InsufficientFunds(
            _("A collective of this payout file cannot cover its share of the bank fee. Nothing was recorded.")
        ) from None


def _cannot_cover(batch: PayoutBatch, collective, balance: int, share: int) -> InsufficientFunds:
    return InsufficientFunds(
        _(
            "%(collective)s has %(balance)s available and cannot cover its share of the bank fee (%(share)s). "
            "Nothing was recorded."
        )
        % {
            "collective": collective.name,
            "balance": format_money(Money(balance, batch.currency)),
            "share": format_money(Money(share, batch.currency)),
        }
    )
