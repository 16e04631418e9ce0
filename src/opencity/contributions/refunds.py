"""Refunds (and, in contributions/disputes.py, disputes), posted exactly as the processor moves the money.

A card processor keeps its fee when a payment is refunded (unless its refund balance transaction says it
gave part of it back), and charges a fee of its own when a card holder disputes a payment. So:

- a refund posts one journal: the refunded amount out of the collective's funds back to the processor's
  clearing account (REFUND), the host's fee given back in proportion (HOST_FEE, host fees → funds), and
  only the part of the processor fee the processor really returned (PROCESSOR_FEE, processor fees → funds).
  The collective bears the lost card fee, visibly. A single refund of the whole payment is linked to the
  payment's journal (`reverses`, and `reversal_of` on every leg that mirrors one); partial refunds are
  their own journals (same source), one per processor refund id, and the host fee they return adds up to
  exactly the original host fee once the payment is wholly refunded.
- a dispute posts the withdrawn amount out (REFUND, "Dispute") with the host fee given back as for a refund
  of that amount (so raised, spent and the balance do not depend on how the money went back), and the
  processor's dispute fee as its own PROCESSOR_FEE transfer; a won dispute posts the amount back in
  (reversing that journal, host fee charged again), and the dispute fee only if the processor returns it.

A processor's clearing account holds what the processor owes the host: gross − fees − refunds. So the card
fee, the dispute fee and the fee a processor gives back are all posted against the clearing account (the
money the processor keeps or returns out of what it owes us), never against a separate account: the
processor's payout to the bank then clears the clearing account to zero (payments/clearing.py). Refunds
and disputes posted before this rule against the old processor-fees account are returned to that account.

No lock is held while the processor is called: an admin's refund is recorded first (a RefundIntent, with
its reason, whose key is the processor's idempotency key), the processor is called outside any
transaction, and its answer is posted afterwards under the contribution's lock — by us or by the webhook,
whichever comes first, once per processor refund id. A refund the processor reports failed later posts the
mirror of what the refund posted (the money came back), and no longer counts as refunded.

Idempotent: refunds by processor refund id (unique `ContributionRefund.external_id` and the ledger key),
disputes by ledger keys derived from the dispute id; every function locks the contribution row first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from opencity.accounts.permissions import has_2fa
from opencity.contributions import permissions
from opencity.contributions.errors import RefundNotCovered
from opencity.contributions.models import Contribution, ContributionRefund, RefundIntent
from opencity.contributions.settlement import _lock, _set_status
from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.ledger import phrases
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import Account, Journal, TransferKind
from opencity.ledger.services import Leg, post_journal
from opencity.payments import pipeline
from opencity.payments.pipeline import ProcessorRefund

S = Contribution.Status
REFUNDABLE = (S.PAID, S.PARTIALLY_REFUNDED)
FAILED_REFUND = ("failed", "canceled")


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


def _ref(journal: Journal) -> str:
    """The tier a contribution journal names (user text), for the refund's or dispute's sentence."""
    return (journal.facts or {}).get("ref", "")


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
        # Where the card fee went: the clearing account (older payments: the processor-fees account).
        processor_fees=proc.credit_account if proc is not None else clearing,
        host_fees=host.credit_account if host is not None else None,
    )


def _done(c: Contribution) -> tuple[int, int, int, int]:
    """(amount, host fee returned, processor fee returned, count) of the refunds already posted."""
    agg = c.refunds.filter(failed_journal__isnull=True).aggregate(
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
    what = phrases.REFUND if amount == c.amount else phrases.PARTIAL_REFUND
    legs = [Leg(o.funds, o.clearing, amount, TransferKind.REFUND, "", o.main if whole else None)]
    if host_back:
        legs.append(
            Leg(
                o.host_fees,
                o.funds,
                host_back,
                TransferKind.HOST_FEE,
                "",
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
                "",
                o.processor_fee if mirror else None,
            )
        )
    try:
        journal = post_journal(
            host=o.journal.host,
            idempotency_key=f"contribution_{c.public_id}_refund_{refund.external_id}",
            kind=TransferKind.REFUND,
            legs=legs,
            description=o.journal.description,
            facts=phrases.facts(what, ref=_ref(o.journal), reason=reason),
            source_type="contribution",
            source_id=c.public_id,
            person=o.journal.person,
            anonymous=o.journal.anonymous,
            counterparty_label=o.journal.counterparty_label,
            created_by=by,
            reverses=o.journal if whole else None,
            reason=(reason or "")[:300],  # the admin's words (user text), shown on the public line
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


def _intent_of(refund: ProcessorRefund) -> RefundIntent | None:
    q = RefundIntent.objects.filter(idempotency_key=refund.intent_key) if refund.intent_key else None
    intent = q.first() if q is not None else None
    return intent or RefundIntent.objects.filter(external_id=refund.external_id).first()


def refund_record(*, contribution: Contribution, refund: ProcessorRefund, by=None, reason: str = "") -> Contribution:
    """The processor refunded (part of) `contribution` (its webhook, or its answer to our call): post it once
    per refund id — with the reason and admin of our RefundIntent when an admin asked for it. A refund the
    processor reports failed or canceled is not posted, or reversed if it was (`refund_mark_failed`).

    RefundNotCovered when the collective has spent the money: nothing is posted (the caller tells an admin).
    """
    if refund.status in FAILED_REFUND:
        return refund_mark_failed(
            contribution=contribution, external_id=refund.external_id, intent_key=refund.intent_key
        )
    intent = _intent_of(refund)
    if intent is not None:
        reason, by = reason or intent.reason, by or intent.by
    with transaction.atomic():
        c = _lock(contribution)
        if intent is not None and not intent.external_id:
            RefundIntent.objects.filter(pk=intent.pk, external_id__isnull=True).update(external_id=refund.external_id)
        # REFUNDED: nothing is left to give back (also for refunds posted before per-refund records existed).
        if c.status != S.REFUNDED and not ContributionRefund.objects.filter(external_id=refund.external_id).exists():
            _post_refund(c, refund, by=by, reason=reason)
    return c


def refund_mark_failed(*, contribution: Contribution, external_id: str, intent_key: str = "") -> Contribution:
    """The processor reports a refund failed (e.g. the card was closed): the money came back to its balance.

    Posts the mirror of the refund's journal once (clearing → funds, host fee and returned processor fee
    back where they came from), so the collective holds the money again; the contribution is paid (or
    partly refunded) again. A refund never posted is only marked failed. Idempotent per refund id.
    """
    with transaction.atomic():
        c = _lock(contribution)
        RefundIntent.objects.filter(external_id=external_id).update(failed=True)
        if intent_key:
            RefundIntent.objects.filter(idempotency_key=intent_key).update(failed=True)
        row = (
            ContributionRefund.objects.select_for_update(of=("self",))
            .select_related("journal__host")
            .filter(contribution=c, external_id=external_id, failed_journal__isnull=True)
            .first()
        )
        if row is None:
            return c
        refund_journal = row.journal
        transfers = list(refund_journal.transfers.select_related("debit_account", "credit_account").order_by("pk"))
        legs = [Leg(t.credit_account, t.debit_account, t.amount, t.kind, t.description, t) for t in transfers]
        back = post_journal(
            host=refund_journal.host,
            idempotency_key=f"contribution_{c.public_id}_refund_{external_id}_failed",
            kind=TransferKind.REFUND,
            legs=legs,
            description=refund_journal.description,
            facts=phrases.facts(phrases.REVERSAL, why=phrases.REFUND_FAILED, of=phrases.facts_of(refund_journal)),
            source_type="contribution",
            source_id=c.public_id,
            person=refund_journal.person,
            anonymous=refund_journal.anonymous,
            counterparty_label=refund_journal.counterparty_label,
            reverses=refund_journal,
            reason=refund_journal.reason,
        )
        row.failed_journal = back
        row.save(update_fields=["failed_journal"])
        done_amount = _done(c)[0]
        c.amount_refunded = done_amount
        c.save(update_fields=["amount_refunded"])
        if c.status in (S.REFUNDED, S.PARTIALLY_REFUNDED):
            _set_status(c, S.PARTIALLY_REFUNDED if done_amount else S.PAID, note=f"{external_id}: refund failed")
            c.save(update_fields=["status"])
    return c


def _refund_intent(c: Contribution, *, by, reason: str) -> RefundIntent:
    """Step one of an admin's refund, under the contribution's lock: check it is possible and covered, and
    record what will be asked of the processor (an unanswered earlier intent for the same amount is reused,
    so a retry after a timeout gets the same processor refund)."""
    if c.status == S.REFUNDED:
        raise _nothing_left()
    if c.journal_id is None or c.status not in REFUNDABLE:
        raise _not_paid()
    done_amount, done_host, _p, _n = _done(c)
    amount = c.amount - done_amount
    if amount <= 0:
        raise _nothing_left()
    o = _original(c)
    need = amount - host_fee_share(c, amount, done_amount=done_amount, done_host=done_host)
    o.funds.refresh_from_db(fields=["debits_posted", "credits_posted"])
    if o.funds.balance < need:
        raise RefundNotCovered()
    open_intent = c.refund_intents.filter(external_id__isnull=True, failed=False, amount=amount).last()
    if open_intent is not None:
        return open_intent
    n = c.refund_intents.count()
    return RefundIntent.objects.create(
        contribution=c,
        idempotency_key=f"contribution_{c.public_id}_refund" + (f"_{n + 1}" if n else ""),
        amount=amount,
        reason=reason[:300],
        by=by,
    )


def contribution_refund(*, contribution: Contribution, by=None, reason: str = "", system: bool = False) -> Contribution:
    """An admin gives back what is left of a paid contribution, at the processor and in the ledger.

    Host admins whose session passed two-factor authentication (`system=True`: a trusted internal caller such
    as the demo seeder), with a reason (shown on the public line). Refused with RefundNotCovered before the
    processor is called when the collective's funds cannot cover the refund (the amount less the host fee
    given back). Three steps, no lock held across the network: record the intent, call the processor, post
    its answer. If the processor cannot be reached nothing is posted (the intent is reused on a retry).
    """
    from opencity.payments import providers

    if not system:
        if by is None or not permissions.can_refund(by, contribution):
            raise PermissionDenied(_("Only an admin of the host can refund a contribution."))
        if not has_2fa(by):
            raise PermissionDenied(
                _("Confirm your two-factor code before moving money."),
                code="2fa_required",
            )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why this contribution is refunded."), code="reason_required", field="reason")
    if len(reason) > 300:
        raise ValidationFailed(_("Keep the reason under 300 characters."), code="reason_too_long", field="reason")
    with transaction.atomic():
        c = _lock(contribution)
        intent = _refund_intent(c, by=by, reason=reason)
    result = providers.get(c.payment_method).refund(c, amount=intent.amount, idempotency_key=intent.idempotency_key)
    if result.status in FAILED_REFUND:
        refund_mark_failed(contribution=c, external_id=result.external_id, intent_key=intent.idempotency_key)
        raise RefundNotCovered(
            code="refund_failed", message=_("The payment processor refused this refund; nothing was refunded.")
        )
    return refund_record(
        contribution=c,
        refund=ProcessorRefund(
            external_id=result.external_id,
            amount=result.amount,
            fee_returned=result.fee_returned,
            status=result.status,
            intent_key=intent.idempotency_key,
        ),
    )


__all__ = [
    "contribution_refund",
    "host_fee_share",
    "refund_mark_failed",
    "refund_record",
]
