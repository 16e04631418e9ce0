"""Refunds and disputes, posted exactly as the processor moves the money.

A card processor keeps its fee when a payment is refunded (unless its refund balance transaction says it
gave part of it back), and charges a fee of its own when a card holder disputes a payment. So:

- a refund posts one journal: the refunded amount out of the collective's funds back to the processor's
  clearing account (REFUND), the host's fee given back in proportion (HOST_FEE, host fees → funds), and
  only the part of the processor fee the processor really returned (PROCESSOR_FEE, processor fees → funds).
  The collective bears the lost card fee, visibly. A single refund of the whole payment is linked to the
  payment's journal (`reverses`, and `reversal_of` on every leg that mirrors one); partial refunds are
  their own journals (same source), one per processor refund id, and the host fee they return adds up to
  exactly the original host fee once the payment is wholly refunded.
- a dispute posts the withdrawn amount out (REFUND, "Dispute") and the processor's dispute fee as its own
  PROCESSOR_FEE transfer; a won dispute posts the amount back in (reversing that journal), and the fee
  only if the processor returns it.

Idempotent: refunds by processor refund id (unique `ContributionRefund.external_id` and the ledger key),
disputes by ledger keys derived from the dispute id; every function locks the contribution row first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from opencity.contributions.errors import RefundNotCovered
from opencity.contributions.models import Contribution, ContributionRefund
from opencity.contributions.settlement import _lock, _set_status
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import Account, AccountKind, Journal, TransferKind
from opencity.ledger.services import Leg, host_account, post_journal
from opencity.payments import pipeline
from opencity.payments.pipeline import ProcessorRefund

S = Contribution.Status
REFUNDABLE = (S.PAID, S.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class ProcessorDispute:
    """A dispute as the processor reports it, from its balance transactions (amounts positive)."""

    external_id: str
    status: str
    amount: int
    withdrawn: int = 0  # taken from the balance (0: not withdrawn, e.g. an inquiry)
    withdrawal_fee: int = 0  # the processor's dispute fee
    reinstated: int = 0  # given back after a won dispute
    fee_returned: int = 0  # the dispute fee given back with it, if the processor does


def _not_paid():
    return RefundNotCovered(code="not_paid", message=_("Only a paid contribution can be refunded."))


def _nothing_left():
    return RefundNotCovered(code="already_refunded", message=_("This contribution is already wholly refunded."))


# --- the original payment ------------------------------------------------------------------------------


@dataclass
class _Original:
    journal: Journal
    main: object  # the payment transfer (clearing → funds)
    processor_fee: object | None
    host_fee: object | None
    funds: Account
    clearing: Account
    processor_fees: Account
    host_fees: Account | None


def _original(c: Contribution) -> _Original:
    journal = c.journal
    transfers = list(journal.transfers.select_related("debit_account", "credit_account").order_by("pk"))
    main = next(t for t in transfers if t.kind == journal.kind)
    proc = next((t for t in transfers if t.kind == TransferKind.PROCESSOR_FEE), None)
    host = next((t for t in transfers if t.kind == TransferKind.HOST_FEE), None)
    clearing = main.debit_account
    return _Original(
        journal=journal,
        main=main,
        processor_fee=proc,
        host_fee=host,
        funds=main.credit_account,
        clearing=clearing,
        processor_fees=proc.credit_account
        if proc is not None
        else host_account(journal.host, AccountKind.PROCESSOR_FEES, processor=clearing.processor),
        host_fees=host.credit_account if host is not None else None,
    )


def _done(c: Contribution) -> tuple[int, int, int, int]:
    """(amount, host fee returned, processor fee returned, count) of the refunds already posted."""
    agg = c.refunds.aggregate(
        a=Sum("amount"), h=Sum("host_fee_returned"), p=Sum("processor_fee_returned"), n=Count("id")
    )
    return agg["a"] or 0, agg["h"] or 0, agg["p"] or 0, agg["n"]


def host_fee_share(c: Contribution, amount: int, *, done_amount: int, done_host: int) -> int:
    """The host fee given back with a refund of `amount`: in proportion (half-even), never more than what
    is left of it, and exactly the rest when this refund completes the payment."""
    left = c.host_fee - done_host
    if done_amount + amount >= c.amount:
        return left
    share = (Decimal(c.host_fee) * amount / Decimal(c.amount)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return max(0, min(int(share), left))


def _lock_accounts(accounts: list[Account]) -> dict[int, tuple[int, int]]:
    """Lock the refund's accounts in id order (the ledger's order, so no deadlock) and read their totals."""
    ids = sorted({a.pk for a in accounts})
    rows = (
        Account.objects.select_for_update(no_key=connection.features.has_select_for_no_key_update)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "debits_posted", "credits_posted")
    )
    return {pk: (d, cr) for pk, d, cr in rows}


# --- refunds ------------------------------------------------------------------------------------------


def _post_refund(c: Contribution, refund: ProcessorRefund, *, by=None, reason: str = "") -> ContributionRefund | None:
    """Post one processor refund for the locked contribution `c`. None when nothing is left to refund."""
    if c.journal_id is None:
        raise _not_paid()
    done_amount, done_host, done_proc, _n = _done(c)
    amount = min(int(refund.amount), c.amount - done_amount)
    if amount <= 0:
        return None
    o = _original(c)
    host_back = host_fee_share(c, amount, done_amount=done_amount, done_host=done_host)
    proc_back = max(0, min(int(refund.fee_returned), c.processor_fee - done_proc))
    whole = done_amount == 0 and amount == c.amount and not Journal.objects.filter(reverses=o.journal).exists()
    label = "Refund" if amount == c.amount else "Partial refund"
    legs = [Leg(o.funds, o.clearing, amount, TransferKind.REFUND, label, o.main if whole else None)]
    if host_back:
        legs.append(
            Leg(
                o.host_fees,
                o.funds,
                host_back,
                TransferKind.HOST_FEE,
                "Host fee returned",
                o.host_fee if whole else None,
            )
        )
    if proc_back:
        mirror = whole and o.processor_fee is not None and proc_back == o.processor_fee.amount
        legs.append(
            Leg(
                o.processor_fees,
                o.funds,
                proc_back,
                TransferKind.PROCESSOR_FEE,
                "Processor fee returned",
                o.processor_fee if mirror else None,
            )
        )
    try:
        journal = post_journal(
            host=o.journal.host,
            idempotency_key=f"contribution_{c.public_id}_refund_{refund.external_id}",
            kind=TransferKind.REFUND,
            legs=legs,
            description=f"{label}: {o.journal.description}"[:300],
            source_type="contribution",
            source_id=c.public_id,
            person=o.journal.person,
            anonymous=o.journal.anonymous,
            counterparty_label=o.journal.counterparty_label,
            created_by=by,
            reverses=o.journal if whole else None,
            reason=(reason or "refund")[:300],
        )
    except InsufficientFunds:
        raise RefundNotCovered() from None
    row = ContributionRefund.objects.create(
        contribution=c,
        external_id=refund.external_id,
        amount=amount,
        host_fee_returned=host_back,
        processor_fee_returned=proc_back,
        journal=journal,
        by=by,
    )
    c.amount_refunded = done_amount + amount
    c.save(update_fields=["amount_refunded"])
    pipeline.notify(c.purpose, pipeline.REFUNDED, c, amount=amount)
    to = S.REFUNDED if done_amount + amount == c.amount else S.PARTIALLY_REFUNDED
    note = f"{refund.external_id}: {amount} refunded, host fee {host_back}, processor fee {proc_back} returned"
    if c.status != S.DISPUTED or to == S.REFUNDED:
        _set_status(c, to, by=by, note=note)
        c.save(update_fields=["status"])
    return row


def refund_record(*, contribution: Contribution, refund: ProcessorRefund, by=None, reason: str = "") -> Contribution:
    """The processor refunded (part of) `contribution` (its webhook): post it once per refund id.

    RefundNotCovered when the collective has spent the money: nothing is posted (the caller tells an admin).
    """
    with transaction.atomic():
        c = _lock(contribution)
        # REFUNDED: nothing is left to give back (also for refunds posted before per-refund records existed).
        if c.status != S.REFUNDED and not ContributionRefund.objects.filter(external_id=refund.external_id).exists():
            _post_refund(c, refund, by=by, reason=reason or "refunded at the processor")
    return c


def contribution_refund(*, contribution: Contribution, by=None, reason: str = "") -> Contribution:
    """An admin gives back what is left of a paid contribution, at the processor and in the ledger.

    Refused with RefundNotCovered before the processor is called when the collective's funds cannot cover
    the refund (the amount less the host fee given back): its funds account never goes negative. The
    processor is called inside the transaction, so if it fails nothing is posted.
    """
    from opencity.payments import providers

    with transaction.atomic():
        c = _lock(contribution)
        if c.status == S.REFUNDED:
            return c
        if c.journal_id is None or c.status not in REFUNDABLE:
            raise _not_paid()
        done_amount, done_host, _p, n = _done(c)
        amount = c.amount - done_amount
        if amount <= 0:
            raise _nothing_left()
        o = _original(c)
        need = amount - host_fee_share(c, amount, done_amount=done_amount, done_host=done_host)
        accounts = [o.funds, o.clearing, o.processor_fees] + ([o.host_fees] if o.host_fees else [])
        debits, credits = _lock_accounts(accounts)[o.funds.pk]
        if credits - debits < need:
            raise RefundNotCovered()
        key = f"contribution_{c.public_id}_refund" + (f"_{n + 1}" if n else "")
        result = providers.get(c.payment_method).refund(c, amount=amount, idempotency_key=key)
        _post_refund(c, result, by=by, reason=reason or "refund")
    return c


# --- disputes -----------------------------------------------------------------------------------------


def _dispute_key(c: Contribution, dispute_id: str, what: str) -> str:
    return f"contribution_{c.public_id}_dispute_{dispute_id}_{what}"


def dispute_record(*, contribution: Contribution, dispute: ProcessorDispute) -> Contribution:
    """Bring our books in line with the processor's dispute: DISPUTED, funds out (with the dispute fee)
    once withdrawn, back in once reinstated (won). Idempotent per dispute id and movement."""
    with transaction.atomic():
        c = _lock(contribution)
        if (
            c.journal_id is None
            or Journal.objects.filter(idempotency_key=f"contribution_{c.public_id}_dispute").exists()
        ):
            return c  # not paid, or a dispute already reversed whole by an earlier version
        note = f"dispute {dispute.external_id} {dispute.status}"
        # Won, or an inquiry closed without a chargeback: the contribution stands again.
        won = dispute.status in ("won", "warning_closed")
        if c.status in REFUNDABLE and not won:
            _set_status(c, S.DISPUTED, note=note)
        withdrawn = dispute.withdrawn
        if not withdrawn and dispute.status == "lost":
            withdrawn = dispute.amount  # lost without a visible withdrawal: the money is gone all the same
        out = Journal.objects.filter(idempotency_key=_dispute_key(c, dispute.external_id, "withdrawn")).first()
        if out is None and withdrawn:
            out = _post_dispute_out(c, dispute, withdrawn)
        if out is not None and (dispute.reinstated or dispute.status == "won"):
            _post_dispute_back(c, dispute, out)
        if won and c.status == S.DISPUTED:
            _set_status(c, S.PARTIALLY_REFUNDED if c.refunds.exists() else S.PAID, note=note)
        c.save(update_fields=["status"])
    return c


def _post_dispute_out(c: Contribution, dispute: ProcessorDispute, amount: int) -> Journal:
    o = _original(c)
    legs = [Leg(o.funds, o.clearing, amount, TransferKind.REFUND, "Dispute")]
    if dispute.withdrawal_fee > 0:
        legs.append(Leg(o.funds, o.processor_fees, dispute.withdrawal_fee, TransferKind.PROCESSOR_FEE, "Dispute fee"))
    try:
        return post_journal(
            host=o.journal.host,
            idempotency_key=_dispute_key(c, dispute.external_id, "withdrawn"),
            kind=TransferKind.REFUND,
            legs=legs,
            description=f"Dispute: {o.journal.description}"[:300],
            source_type="contribution",
            source_id=c.public_id,
            person=o.journal.person,
            anonymous=o.journal.anonymous,
            counterparty_label=o.journal.counterparty_label,
            reason=f"dispute {dispute.external_id}",
        )
    except InsufficientFunds:
        raise RefundNotCovered() from None


def _post_dispute_back(c: Contribution, dispute: ProcessorDispute, out: Journal) -> Journal:
    key = _dispute_key(c, dispute.external_id, "reinstated")
    existing = Journal.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    transfers = list(out.transfers.select_related("debit_account", "credit_account").order_by("pk"))
    main = next(t for t in transfers if t.kind == TransferKind.REFUND)
    fee = next((t for t in transfers if t.kind == TransferKind.PROCESSOR_FEE), None)
    amount = min(dispute.reinstated or main.amount, main.amount)
    legs = [
        Leg(
            main.credit_account,
            main.debit_account,
            amount,
            TransferKind.CONTRIBUTION,
            "Dispute won",
            main if amount == main.amount else None,
        )
    ]
    fee_back = min(dispute.fee_returned, fee.amount) if fee is not None else 0
    if fee_back > 0:
        legs.append(
            Leg(
                fee.credit_account,
                fee.debit_account,
                fee_back,
                TransferKind.PROCESSOR_FEE,
                "Dispute fee returned",
                fee if fee_back == fee.amount else None,
            )
        )
    return post_journal(
        host=out.host,
        idempotency_key=key,
        kind=TransferKind.CONTRIBUTION,
        legs=legs,
        description=f"Dispute won: {c.journal.description}"[:300],
        source_type="contribution",
        source_id=c.public_id,
        person=out.person,
        anonymous=out.anonymous,
        counterparty_label=out.counterparty_label,
        reverses=out,
        reason=f"dispute {dispute.external_id} won",
    )


__all__ = [
    "ProcessorDispute",
    "contribution_refund",
    "dispute_record",
    "host_fee_share",
    "refund_record",
]
