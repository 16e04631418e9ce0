"""Settling many contributions at once (a bank statement's credits): the same rows as
`settlement.contribution_record_paid` one by one, written set-based.

One transaction: the contributions locked in one query (id order); their journals posted in one batch by
`ledger.services.post_journals` (keys `contribution_<id>_paid`, facts, host fee: the journals of the one-by-one
path); the contributions marked paid in one UPDATE with their status events in one INSERT; receipt numbers
taken from each host's counter once per year (in order, gap-free); receipts sent after commit.

Gifts only: a membership (its RecurringContribution) or a ticket order (its owner is told) goes through
`contribution_record_paid`, one by one, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from opencity.community.models import Person
from opencity.contributions import settlement
from opencity.contributions.models import Contribution, ContributionEvent, Interval
from opencity.core.bulk import bulk_set
from opencity.hosting.models import Collective
from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind, TransferKind
from opencity.payments import pipeline

logger = logging.getLogger(__name__)
S = Contribution.Status


@dataclass(frozen=True)
class Payment:
    """Money that arrived for one contribution (no processor fee: a bank transfer costs the giver nothing)."""

    contribution_id: int
    external_payment_id: str
    effective_date: dt.date


def _one_by_one(c: Contribution) -> bool:
    return c.interval != Interval.ONE_TIME or c.purpose == Contribution.Purpose.TICKET


def contributions_record_paid_many(*, payments: list[Payment], processor: str) -> dict[int, Contribution]:
    """Record each payment as `contribution_record_paid(processor_fee=0)` would; the contributions by id.

    Idempotent like it: a contribution already settled (a retry, or another path first) is returned as is.
    """
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Contribution.objects.select_for_update(of=("self",))
            .select_related("tier")
            .filter(pk__in=sorted({p.contribution_id for p in payments}))
            .order_by("pk")
        }
        _attach(locked.values())
        out: dict[int, Contribution] = {}
        many: list[tuple[Payment, Contribution]] = []
        for p in payments:
            c = locked[p.contribution_id]
            if c.pk in out:
                continue
            out[c.pk] = c
            if c.journal_id is not None:
                continue
            if _one_by_one(c):
                out[c.pk] = settlement.contribution_record_paid(
                    contribution=c,
                    processor=processor,
                    processor_fee=0,
                    external_payment_id=p.external_payment_id,
                    effective_date=p.effective_date,
                )
            else:
                many.append((p, c))
        if many:
            _settle(many, processor)
    return out


def _attach(contributions) -> None:
    """Their collectives (with hosts) and people, one query each: one instance per collective, so its ledger
    accounts are looked up once for the whole batch."""
    contributions = list(contributions)
    collectives = Collective.objects.select_related("host").in_bulk({c.collective_id for c in contributions})
    people = Person.objects.in_bulk({c.person_id for c in contributions})
    for c in contributions:
        c.collective = collectives[c.collective_id]
        c.person = people[c.person_id]


def _settle(many: list[tuple[Payment, Contribution]], processor: str) -> None:
    clearing: dict[int, object] = {}
    specs = []
    for p, c in many:
        coll = c.collective
        host = coll.host
        if host.pk not in clearing:
            clearing[host.pk] = ledger.host_account(host, AccountKind.CLEARING, processor=processor)
        fee = ledger.host_fee_for(coll, c.amount)
        funds, host_fees = ledger._funds_and_fees_accounts(coll, with_fees=bool(fee))
        description = settlement._description(c)
        legs = [ledger.Leg(clearing[host.pk], funds, c.amount, TransferKind.CONTRIBUTION, description)]
        if fee:
            legs.append(ledger.Leg(funds, host_fees, fee, TransferKind.HOST_FEE))
        specs.append(
            ledger.JournalSpec(
                host=host,
                idempotency_key=f"contribution_{c.public_id}_paid",
                kind=TransferKind.CONTRIBUTION,
                legs=legs,
                description=description,
                facts=settlement._facts(c),
                effective_date=p.effective_date,
                source_type="contribution",
                source_id=c.public_id,
                person=c.person if c.identity_verified else None,
                anonymous=c.anonymous,
                counterparty_label=c.organisation_name or ("" if c.identity_verified else c.contributor_name),
                extra={"host_fee": fee},
            )
        )
    journals = ledger.post_journals(specs)
    events = []
    for (p, c), spec, journal in zip(many, specs, journals, strict=True):
        c.journal = journal
        c.processor_fee = 0
        c.host_fee = spec.extra["host_fee"]
        c.paid_at = timezone.make_aware(dt.datetime.combine(p.effective_date, dt.time(12, 0)))
        c.external_payment_id = c.external_payment_id or p.external_payment_id
        note = f"{processor} {p.external_payment_id or ''}".strip()
        events.append(ContributionEvent(contribution=c, from_status=c.status, to_status=S.PAID, note=note[:300]))
        c.status = S.PAID
    ContributionEvent.objects.bulk_create(events, batch_size=5000)
    settled = [c for _p, c in many]
    _number_receipts(settled)
    fields = ["journal", "processor_fee", "host_fee", "paid_at", "external_payment_id", "status", "receipt_number"]
    bulk_set(Contribution, settled, fields)
    for c in settled:
        pipeline.notify(c.purpose, pipeline.PAID, c)
    if settlement.receipts_enabled.get():
        from opencity.contributions.tasks import send_receipt

        pks = [c.pk for c in settled]
        transaction.on_commit(lambda: [send_receipt.enqueue(contribution_id=pk) for pk in pks])


def _number_receipts(settled: list[Contribution]) -> None:
    """Receipt numbers in the order the payments came, per host and year (written with the payments).

    As for one contribution, a failure (the counter in trouble, a number already issued) leaves them without
    a number — logged; the daily job numbers them — and never stops the payments being recorded.
    """
    from opencity.contributions.receipts import receipt_numbers_allocate

    groups: dict[tuple[int, int], list[Contribution]] = defaultdict(list)
    for c in settled:
        groups[(c.collective.host_id, timezone.localtime(c.paid_at).year)].append(c)
    try:
        with transaction.atomic():
            for (_host_id, year), cs in groups.items():
                numbers = receipt_numbers_allocate(host=cs[0].collective.host, year=year, count=len(cs))
                for c, number in zip(cs, numbers, strict=True):
                    c.receipt_number = number
            numbers = [c.receipt_number for c in settled]
            if Contribution.objects.filter(receipt_number__in=numbers).exists():
                raise DatabaseError("receipt numbers already issued")
    except DatabaseError:
        logger.exception("receipt numbers for %d contributions not given; will retry", len(settled))
        for c in settled:
            c.receipt_number = None
