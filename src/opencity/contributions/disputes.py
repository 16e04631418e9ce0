"""Disputes, posted exactly as the processor moves the money: the rules, shared with refunds, are told at the
top of contributions/refunds.py. Idempotent by ledger keys derived from the dispute id; the contribution row
is locked first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from opencity.contributions.errors import RefundNotCovered
from opencity.contributions.models import Contribution
from opencity.contributions.refunds import REFUNDABLE, S, _done, _original, _ref, host_fee_share
from opencity.contributions.settlement import _lock, _set_status
from opencity.ledger import phrases
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import Journal, TransferKind
from opencity.ledger.services import Leg, post_journal


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
    legs = [Leg(o.funds, o.clearing, amount, TransferKind.REFUND, "")]
    # Money taken back is not money raised: the host gives its fee back as for a refund of that amount.
    done_amount, done_host, _p, _n = _done(c)
    host_back = host_fee_share(c, min(amount, c.amount - done_amount), done_amount=done_amount, done_host=done_host)
    if host_back > 0 and o.host_fees is not None:
        legs.append(Leg(o.host_fees, o.funds, host_back, TransferKind.HOST_FEE, ""))
    if dispute.withdrawal_fee > 0:
        legs.append(Leg(o.funds, o.clearing, dispute.withdrawal_fee, TransferKind.PROCESSOR_FEE, ""))
    try:
        return post_journal(
            host=o.journal.host,
            idempotency_key=_dispute_key(c, dispute.external_id, "withdrawn"),
            kind=TransferKind.REFUND,
            legs=legs,
            description=o.journal.description,
            facts=phrases.facts(phrases.DISPUTE, ref=_ref(o.journal)),
            source_type="contribution",
            source_id=c.public_id,
            person=o.journal.person,
            anonymous=o.journal.anonymous,
            counterparty_label=o.journal.counterparty_label,
            reason="",  # no admin's words here (the processor's dispute id is in the key, never shown)
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
            "",
            main if amount == main.amount else None,
        )
    ]
    host = next((t for t in transfers if t.kind == TransferKind.HOST_FEE), None)
    if host is not None and amount == main.amount:  # the contribution stands again: so does its host fee
        legs.append(Leg(host.credit_account, host.debit_account, host.amount, TransferKind.HOST_FEE, "Host fee", host))
    fee_back = min(dispute.fee_returned, fee.amount) if fee is not None else 0
    if fee_back > 0:
        legs.append(
            Leg(
                fee.credit_account,
                fee.debit_account,
                fee_back,
                TransferKind.PROCESSOR_FEE,
                "",
                fee if fee_back == fee.amount else None,
            )
        )
    return post_journal(
        host=out.host,
        idempotency_key=key,
        kind=TransferKind.CONTRIBUTION,
        legs=legs,
        description=c.journal.description,
        facts=phrases.facts(phrases.DISPUTE_WON, ref=_ref(c.journal)),
        source_type="contribution",
        source_id=c.public_id,
        person=out.person,
        anonymous=out.anonymous,
        counterparty_label=out.counterparty_label,
        reverses=out,
        reason="",
    )
