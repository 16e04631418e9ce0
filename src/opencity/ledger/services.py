"""The only code that moves money. Every write is one atomic block that locks accounts in id order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from opencity.ledger.errors import InsufficientFunds, LedgerError
from opencity.ledger.models import Account, AccountKind, Journal, Transfer, TransferKind


@dataclass(frozen=True)
class Leg:
    """One transfer to post: money leaves `debit` and arrives in `credit`."""

    debit: Account
    credit: Account
    amount: int
    kind: str
    description: str = ""
    reversal_of: Transfer | None = None


# --- accounts ---------------------------------------------------------------------------------------


def _account(*, host, kind: str, collective=None, processor: str = "", guard: bool = False) -> Account:
    lookup = {"host": host, "kind": kind, "collective": collective, "processor": processor}
    acc = Account.objects.filter(**lookup).first()
    if acc:
        return acc
    try:
        with transaction.atomic():
            return Account.objects.create(currency=host.currency, debits_must_not_exceed_credits=guard, **lookup)
    except IntegrityError:
        return Account.objects.get(**lookup)


def funds_account(collective) -> Account:
    """The collective's funds account: what the host holds for it. Never goes below zero."""
    return _account(host=collective.host, kind=AccountKind.COLLECTIVE_FUNDS, collective=collective, guard=True)


def host_account(host, kind: str, processor: str = "") -> Account:
    """A host-level account: fees, bank, clearing/processor fees (per processor), payouts, outside world."""
    if kind == AccountKind.COLLECTIVE_FUNDS:
        raise LedgerError("use funds_account() for a collective")
    return _account(host=host, kind=kind, processor=processor)


def host_open_accounts(*, host, processors: tuple[str, ...] = ("stripe", "bank_transfer")) -> None:
    """Create the accounts every host has: fees, bank, clearing and processor fees per processor."""
    host_account(host, AccountKind.HOST_FEES)
    host_account(host, AccountKind.BANK)
    host_account(host, AccountKind.PAYOUTS_IN_FLIGHT)
    host_account(host, AccountKind.CONTRIBUTORS)
    host_account(host, AccountKind.PAYEES)
    for p in processors:
        host_account(host, AccountKind.CLEARING, processor=p)
        host_account(host, AccountKind.PROCESSOR_FEES, processor=p)


# --- posting ----------------------------------------------------------------------------------------


def post_journal(
    *,
    host,
    idempotency_key: str,
    kind: str,
    legs: list[Leg],
    description: str = "",
    effective_date: dt.date | None = None,
    source_type: str = "",
    source_id: str = "",
    person=None,
    anonymous: bool = False,
    counterparty_label: str = "",
    created_by=None,
    reverses: Journal | None = None,
    reason: str = "",
) -> Journal:
    """Post `legs` as one journal, atomically and at most once per `idempotency_key`.

    Locks every touched account in id order, refuses to take a guarded (funds) account below zero with
    InsufficientFunds, inserts the transfers and bumps the cached totals in the same transaction.
    Posting an already-used key returns the first journal and moves nothing.
    """
    if not legs:
        raise LedgerError("a journal needs at least one transfer")
    for leg in legs:
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount <= 0:
            raise LedgerError("transfer amounts are positive integers of minor units")
        if leg.debit.pk == leg.credit.pk:
            raise LedgerError("a transfer needs two different accounts")
        if leg.debit.host_id != host.pk or leg.credit.host_id != host.pk:
            raise LedgerError("all accounts of a journal belong to its host")
        if leg.debit.currency != leg.credit.currency:
            raise LedgerError("currencies differ")

    existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing

    with transaction.atomic():
        ids = sorted({leg.debit.pk for leg in legs} | {leg.credit.pk for leg in legs})
        locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        # Another process may have posted this key while we waited for the locks.
        existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing

        debits: dict[int, int] = defaultdict(int)
        credits: dict[int, int] = defaultdict(int)
        for leg in legs:
            debits[leg.debit.pk] += leg.amount
            credits[leg.credit.pk] += leg.amount
        for pk in ids:
            acc = locked[pk]
            if acc.debits_must_not_exceed_credits and (
                acc.debits_posted + debits[pk] > acc.credits_posted + credits[pk]
            ):
                raise InsufficientFunds()

        try:
            with transaction.atomic():
                journal = Journal.objects.create(
                    host=host,
                    kind=kind,
                    description=description[:300],
                    idempotency_key=idempotency_key,
                    effective_date=effective_date or dt.date.today(),
                    source_type=source_type,
                    source_id=source_id,
                    person=person,
                    anonymous=anonymous,
                    counterparty_label=counterparty_label[:200],
                    created_by=created_by,
                    reverses=reverses,
                    reason=reason[:300],
                )
        except IntegrityError:
            existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
            raise
        Transfer.objects.bulk_create(
            [
                Transfer(
                    journal=journal,
                    debit_account=leg.debit,
                    credit_account=leg.credit,
                    amount=leg.amount,
                    currency=leg.debit.currency,
                    kind=leg.kind,
                    description=(leg.description or description)[:300],
                    idempotency_key=f"{idempotency_key}:{i}",
                    reversal_of=leg.reversal_of,
                )
                for i, leg in enumerate(legs)
            ]
        )
        for pk in ids:
            if debits[pk] or credits[pk]:
                Account.objects.filter(pk=pk).update(
                    debits_posted=F("debits_posted") + debits[pk], credits_posted=F("credits_posted") + credits[pk]
                )
    return journal


# --- business postings shared by contributions, tickets, added funds -------------------------------


def host_fee_for(collective, amount: int) -> int:
    """The collective's host fee (its own percent, or the host default) on `amount`, rounded half-even."""
    from opencity.money import Money

    if collective.is_host_profile:
        return 0
    return Money(amount, collective.currency).percent(collective.effective_host_fee_percent).amount


def record_incoming_payment(
    *,
    collective,
    amount: int,
    idempotency_key: str,
    source_account: Account,
    processor_fee: int = 0,
    processor_fee_account: Account | None = None,
    charge_host_fee: bool = True,
    kind: str = TransferKind.CONTRIBUTION,
    description: str = "",
    effective_date: dt.date | None = None,
    source_type: str = "",
    source_id: str = "",
    person=None,
    anonymous: bool = False,
    counterparty_label: str = "",
    created_by=None,
) -> Journal:
    """Money arriving for a collective: one journal with the payment, the processor fee and the host fee.

    `source_account` is where it comes from (a processor's clearing account, the host's bank for added
    funds). Fees are their own transfers so every fee is visible.
    """
    host = collective.host
    funds = funds_account(collective)
    legs = [Leg(source_account, funds, amount, kind, description)]
    if processor_fee:
        if processor_fee_account is None:
            raise LedgerError("a processor fee needs its account")
        legs.append(Leg(funds, processor_fee_account, processor_fee, TransferKind.PROCESSOR_FEE))
    fee = host_fee_for(collective, amount) if charge_host_fee else 0
    if fee:
        legs.append(Leg(funds, host_account(host, AccountKind.HOST_FEES), fee, TransferKind.HOST_FEE))
    return post_journal(
        host=host,
        idempotency_key=idempotency_key,
        kind=kind,
        legs=legs,
        description=description,
        effective_date=effective_date,
        source_type=source_type,
        source_id=source_id,
        person=person,
        anonymous=anonymous,
        counterparty_label=counterparty_label,
        created_by=created_by,
    )


def journal_reverse(
    *,
    journal: Journal,
    idempotency_key: str,
    reason: str,
    created_by=None,
    kind: str | None = None,
    effective_date: dt.date | None = None,
) -> Journal:
    """Post the mirror of every transfer of `journal` (debit and credit swapped), linked to it.

    Nothing is edited. Refused with InsufficientFunds when the collective has already spent the money.
    A journal is reversed at most once.
    """
    existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if Journal.objects.filter(reverses=journal).exists():
        raise LedgerError("this journal is already reversed", code="already_reversed")
    transfers = list(journal.transfers.select_related("debit_account", "credit_account").order_by("pk"))
    legs = [
        Leg(
            t.credit_account,
            t.debit_account,
            t.amount,
            kind or t.kind,
            f"Reversal: {t.description}"[:300],
            reversal_of=t,
        )
        for t in transfers
    ]
    return post_journal(
        host=journal.host,
        idempotency_key=idempotency_key,
        kind=kind or journal.kind,
        legs=legs,
        description=f"Reversal: {journal.description}"[:300],
        effective_date=effective_date,
        source_type=journal.source_type,
        source_id=journal.source_id,
        person=journal.person,
        anonymous=journal.anonymous,
        counterparty_label=journal.counterparty_label,
        created_by=created_by,
        reverses=journal,
        reason=reason,
    )


__all__ = [
    "Account",
    "AccountKind",
    "InsufficientFunds",
    "Journal",
    "Leg",
    "LedgerError",
    "Transfer",
    "TransferKind",
    "funds_account",
    "host_account",
    "host_open_accounts",
    "post_journal",
]
