"""Settling contributions: paid (with the processor's real fee), failed, cancelled; refunds and disputes in
refunds.py (re-exported here).

Every function is idempotent: ledger keys derive from our public ids (`contribution_<id>_paid`,
`contribution_<id>_refund_<refund id>`, `contribution_<id>_dispute_<dispute id>_…`), and each one locks the contribution row and
re-reads its status before acting, so a webhook delivered twenty times, in parallel, moves money once.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from opencity.contributions.models import (
    Contribution,
    ContributionEvent,
    Interval,
    RecurringContribution,
    RecurringEvent,
)
from opencity.ledger import phrases
from opencity.ledger.models import AccountKind, TransferKind
from opencity.ledger.services import host_account, record_incoming_payment
from opencity.payments import pipeline

S = Contribution.Status
RS = RecurringContribution.Status


def add_interval(date: dt.date, interval: str) -> dt.date:
    """Same day next month/year, clamped to the month's last day (31 Jan → 28/29 Feb)."""
    import calendar

    months = 1 if interval == Interval.MONTH else 12
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    day = min(date.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def add_interval_on_anchor(date: dt.date, interval: str, anchor_day: int) -> dt.date:
    """The next date one interval after `date`, on the membership's anchor day (clamped to the month's
    length): anchored on the 31st, 31 Jan → 28 Feb → 31 Mar, never drifting to the 28th."""
    import calendar

    nxt = add_interval(date, interval)
    return nxt.replace(day=min(anchor_day, calendar.monthrange(nxt.year, nxt.month)[1]))


def next_expected_after(rec: RecurringContribution, paid_on: dt.date) -> dt.date:
    """When a standing order (or any membership we bill ourselves) should pay next: from the date that was
    expected (not the day the money happened to arrive), on the anchor day, and after `paid_on`."""
    anchor = rec.anchor_day or paid_on.day
    nxt = add_interval_on_anchor(rec.next_expected_date or paid_on, rec.interval, anchor)
    while nxt <= paid_on:
        nxt = add_interval_on_anchor(nxt, rec.interval, anchor)
    return nxt


def _set_status(contribution: Contribution, to: str, *, by=None, note: str = "") -> None:
    ContributionEvent.objects.create(
        contribution=contribution, from_status=contribution.status, to_status=to, by=by, note=note[:300]
    )
    contribution.status = to


def _lock(contribution: Contribution) -> Contribution:
    """The contribution row, locked (only it: `of=("self",)`, so its collective, host and person stay free
    for other collectives' payments and approvals), with those rows read alongside."""
    return (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("collective__host", "person")
        .get(pk=contribution.pk)
    )


def recurring_set_status(recurring: RecurringContribution, to: str, *, by=None, note: str = "") -> None:
    RecurringEvent.objects.create(
        recurring=recurring, from_status=recurring.status, to_status=to, by=by, note=note[:300]
    )
    recurring.status = to


def _number_receipt(c: Contribution) -> None:
    from opencity.contributions.receipts import contribution_number_receipt

    contribution_number_receipt(contribution=c)


def contribution_set_checkout(*, contribution: Contribution, checkout_id: str) -> None:
    Contribution.objects.filter(pk=contribution.pk, external_checkout_id__isnull=True).update(
        external_checkout_id=checkout_id
    )
    contribution.external_checkout_id = contribution.external_checkout_id or checkout_id


def contribution_mark_cancelled(*, contribution: Contribution, note: str = "") -> Contribution:
    """The contributor left the processor's page without paying (e.g. the Checkout Session expired)."""
    with transaction.atomic():
        c = _lock(contribution)
        if c.status in (S.PENDING, S.FAILED):
            _set_status(c, S.CANCELLED, note=note)
            c.save(update_fields=["status"])
            pipeline.notify(c.purpose, pipeline.EXPIRED, c)
    return c


def contribution_mark_failed(*, contribution: Contribution, note: str = "") -> Contribution:
    with transaction.atomic():
        c = _lock(contribution)
        if c.status == S.PENDING:
            _set_status(c, S.FAILED, note=note)
            c.save(update_fields=["status"])
            pipeline.notify(c.purpose, pipeline.EXPIRED, c)
    return c


def contribution_record_amount_received(*, contribution: Contribution, amount: int, by=None) -> bool:
    """Money arrived for a different amount than promised (a bank transfer): what arrived is what was given.

    Only before it is settled (then `contribution_record_paid` posts the new amount). Covered fees are
    kept only while they stay below the amount. True when the amount changed (the caller flags it).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("an amount received is a positive integer of minor units")
    with transaction.atomic():
        c = _lock(contribution)
        if c.journal_id is not None or amount == c.amount:
            return False
        ContributionEvent.objects.create(
            contribution=c, from_status=c.status, to_status=c.status, by=by,
            note=f"received {amount} (expected {c.amount})",
        )  # fmt: skip
        covered = c.covered_fees if c.covered_fees < amount else 0
        Contribution.objects.filter(pk=c.pk).update(amount=amount, covered_fees=covered)
    contribution.amount, contribution.covered_fees = amount, covered
    return True


def contribution_record_paid(
    *,
    contribution: Contribution,
    processor: str,
    processor_fee: int,
    external_payment_id: str | None = None,
    external_invoice_id: str | None = None,
    subscription_id: str | None = None,
    effective_date: dt.date | None = None,
    next_expected_date: dt.date | None = None,
    by=None,
) -> Contribution:
    """Money arrived for `contribution`: post payment, processor fee and host fee as one journal; PAID.

    A membership's first payment also opens its RecurringContribution. `next_expected_date`: when the
    processor will bill next (Stripe's period end); without it, the next anchor day. Receipt after commit.
    """
    with transaction.atomic():
        c = _lock(contribution)
        if c.journal_id is not None:
            return c  # already settled (same event again, or another path got there first)
        host = c.collective.host
        fee = max(0, min(int(processor_fee), c.amount))
        paid_on = effective_date or timezone.localdate()
        journal = record_incoming_payment(
            collective=c.collective,
            amount=c.amount,
            idempotency_key=f"contribution_{c.public_id}_paid",
            source_account=host_account(host, AccountKind.CLEARING, processor=processor),
            processor_fee=fee,
            # Against clearing: it holds what the processor owes us, net of its fee (see refunds.py).
            processor_fee_account=host_account(host, AccountKind.CLEARING, processor=processor),
            kind=TransferKind.TICKET if c.purpose == Contribution.Purpose.TICKET else TransferKind.CONTRIBUTION,
            description=_description(c),
            facts=_facts(c),
            effective_date=paid_on,
            source_type="contribution",
            source_id=c.public_id,
            # An unverified guest's gift names who they typed, never the person behind the email.
            person=c.person if c.identity_verified else None,
            anonymous=c.anonymous,
            counterparty_label=c.organisation_name or ("" if c.identity_verified else c.contributor_name),
            created_by=by,
        )
        c.journal = journal
        c.processor_fee = fee
        c.host_fee = sum(t.amount for t in journal.transfers.all() if t.kind == TransferKind.HOST_FEE)
        c.paid_at = (
            timezone.now()
            if effective_date is None
            else timezone.make_aware(dt.datetime.combine(effective_date, dt.time(12, 0)))
        )
        c.external_payment_id = c.external_payment_id or external_payment_id
        c.external_invoice_id = c.external_invoice_id or external_invoice_id
        # Even a FAILED or CANCELLED checkout that the processor reports paid counts: the money is real.
        _set_status(c, S.PAID, by=by, note=f"{processor} {external_payment_id or ''}".strip())
        if c.interval != Interval.ONE_TIME:
            _recurring_after_payment(
                c, processor=processor, subscription_id=subscription_id, paid_on=paid_on, next_date=next_expected_date
            )
        c.save()
        pipeline.notify(c.purpose, pipeline.PAID, c)
        # In its own savepoint, after the money is recorded: a numbering failure never undoes the payment.
        _number_receipt(c)
        if c.purpose != Contribution.Purpose.TICKET:
            _after_commit_receipt(c)  # a ticket order is not a gift: its owner sends the tickets instead
    return c


def _description(c: Contribution) -> str:
    """What people typed that the payment line names: the event of a ticket order, or the tier."""
    if c.purpose == Contribution.Purpose.TICKET:
        return (pipeline.purpose_url(c.purpose, "describe", c) or "")[:300]
    return c.tier.name if c.tier_id else ""


def _facts(c: Contribution) -> dict:
    if c.purpose == Contribution.Purpose.TICKET:
        return phrases.facts(phrases.TICKETS, ref=_description(c))
    return phrases.facts(phrases.CONTRIBUTION, ref=_description(c))


def _recurring_after_payment(
    c: Contribution, *, processor: str, subscription_id: str | None, paid_on, next_date: dt.date | None = None
) -> None:
    rec = c.recurring
    if rec is None:
        rec = RecurringContribution.objects.create(
            collective=c.collective,
            tier=c.tier,
            person=c.person,
            amount=c.amount,
            currency=c.currency,
            interval=c.interval,
            payment_method=processor,
            anonymous=c.anonymous,
            contributor_name=c.contributor_name,
            identity_verified=c.identity_verified,
            processor_subscription_id=subscription_id or None,
            cancel_token=secrets.token_urlsafe(32),
            anchor_day=paid_on.day,
            next_expected_date=next_date or add_interval(paid_on, c.interval),
        )
        RecurringEvent.objects.create(recurring=rec, from_status="", to_status=rec.status, note=c.public_id)
        c.recurring = rec
        return
    rec = RecurringContribution.objects.select_for_update().get(pk=rec.pk)
    rec.next_expected_date = next_date or next_expected_after(rec, paid_on)
    if subscription_id and not rec.processor_subscription_id:
        rec.processor_subscription_id = subscription_id
    if rec.status == RS.PAST_DUE:
        recurring_set_status(rec, RS.ACTIVE, note=f"paid {c.public_id}")
        rec.past_due_since = None
    rec.save()


def contribution_record_renewal(
    *,
    recurring: RecurringContribution,
    amount: int,
    processor_fee: int,
    external_invoice_id: str,
    external_payment_id: str | None = None,
    effective_date: dt.date | None = None,
    next_expected_date: dt.date | None = None,
) -> Contribution:
    """One period of a membership was paid: a new Contribution (once per invoice id), settled."""
    existing = Contribution.objects.filter(external_invoice_id=external_invoice_id).first()
    if existing is None:
        first = recurring.contributions.order_by("created_at", "id").first()
        try:
            with transaction.atomic():
                RecurringContribution.objects.select_for_update().filter(pk=recurring.pk).first()
                existing = Contribution.objects.filter(external_invoice_id=external_invoice_id).first()
                if existing is None:
                    existing = Contribution.objects.create(
                        collective=recurring.collective,
                        tier=recurring.tier,
                        recurring=recurring,
                        person=recurring.person,
                        amount=amount,
                        currency=recurring.currency,
                        interval=recurring.interval,
                        purpose=Contribution.Purpose.MEMBERSHIP,
                        payment_method=recurring.payment_method,
                        anonymous=recurring.anonymous,
                        cover_fees=first.cover_fees if first else False,
                        organisation_name=first.organisation_name if first else "",
                        organisation_website=first.organisation_website if first else "",
                        organisation_vat=first.organisation_vat if first else "",
                        language=first.language if first else recurring.person.language,
                        external_invoice_id=external_invoice_id,
                    )
                    ContributionEvent.objects.create(
                        contribution=existing, from_status="", to_status=existing.status, note="renewal"
                    )
        except IntegrityError:
            existing = Contribution.objects.get(external_invoice_id=external_invoice_id)
    return contribution_record_paid(
        contribution=existing,
        processor=recurring.payment_method,
        processor_fee=processor_fee,
        external_payment_id=external_payment_id,
        external_invoice_id=external_invoice_id,
        effective_date=effective_date,
        next_expected_date=next_expected_date,
    )


# The demo seeder turns receipts off: its people are not real and the queue would mail them later.
receipts_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("receipts_enabled", default=True)


def _after_commit_receipt(c: Contribution) -> None:
    from opencity.contributions.tasks import send_receipt

    if not receipts_enabled.get():
        return
    pk = c.pk
    transaction.on_commit(lambda: send_receipt.enqueue(contribution_id=pk))


def contribution_return_url(c: Contribution) -> str:
    from django.urls import reverse

    return pipeline.purpose_url(c.purpose, "return_url", c) or reverse("contributions:thanks", args=[c.public_id])


def contribution_cancel_url(c: Contribution) -> str:
    from django.urls import reverse

    return pipeline.purpose_url(c.purpose, "cancel_url", c) or reverse(
        "contributions:checkout", args=[c.collective.slug]
    )


def install() -> None:
    """Give the payment providers our settlement functions (see payments.pipeline)."""
    pipeline.install_settler(
        record_paid=contribution_record_paid,
        record_renewal=contribution_record_renewal,
        set_checkout=contribution_set_checkout,
        mark_failed=contribution_mark_failed,
        mark_cancelled=contribution_mark_cancelled,
        return_url=contribution_return_url,
        cancel_url=contribution_cancel_url,
    )


# Refunds and disputes live in contributions/refunds.py and disputes.py (they post what the processor really
# moved); they are reachable from here too, lazily, since both build on this module.
_ELSEWHERE = {
    "FAILED_REFUND": "refunds",
    "ProcessorRefund": "refunds",
    "contribution_refund": "refunds",
    "refund_mark_failed": "refunds",
    "refund_record": "refunds",
    "ProcessorDispute": "disputes",
    "dispute_record": "disputes",
}


def __getattr__(name: str):
    if name in _ELSEWHERE:
        import importlib

        return getattr(importlib.import_module(f"opencity.contributions.{_ELSEWHERE[name]}"), name)
    raise AttributeError(name)
