"""The only code that moves money. Every write is one atomic block that locks accounts in id order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed
from opencity.ledger import phrases
from opencity.ledger.errors import AlreadyReversed, InsufficientFunds, LedgerError
from opencity.ledger.locks import lock_accounts
from opencity.ledger.models import Account, AccountKind, Journal, Transfer, TransferKind
from opencity.money import MAX_AMOUNT_MINOR


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


def _validate_legs(host, legs: list[Leg]) -> None:
    if not legs:
        raise LedgerError("a journal needs at least one transfer")
    for leg in legs:
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount <= 0:
            raise LedgerError("transfer amounts are positive integers of minor units")
        if leg.amount > MAX_AMOUNT_MINOR:
            raise LedgerError("transfer amount too large")
        if leg.debit.pk is None or leg.credit.pk is None or leg.debit.pk == leg.credit.pk:
            raise LedgerError("a transfer needs two different saved accounts")
        if leg.debit.host_id != host.pk or leg.credit.host_id != host.pk:
            raise LedgerError("all accounts of a journal belong to its host")
        if leg.debit.currency != host.currency or leg.credit.currency != host.currency:
            raise LedgerError("all transfers of a journal are in its host's currency")


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
    facts: dict | None = None,
) -> Journal:
    """Post `legs` as one journal, atomically and at most once per `idempotency_key`.

    In one transaction: a journal with this key already (a retry, or a twin that committed first) is
    returned and nothing moves, even if the money has been spent since; otherwise lock every touched account
    in id order (so two journals never deadlock), refuse to take a guarded (funds) account below zero with
    InsufficientFunds, insert the journal and its transfers (database triggers keep the monthly rollups,
    ledger/rollups.py) and bump the cached totals in one UPDATE. On PostgreSQL all of it is one prepared
    statement (ledger/pgpost.py); called many times inside one `transaction.atomic()` (an import), it needs
    no savepoint per journal: `FOR NO KEY UPDATE` does not block other journals' foreign-key checks. There
    only the guarded accounts are locked: the host's own accounts are posted in the transaction's stripe
    (ledger/stripes.py), so journals of one host do not queue behind each other.
    """
    _validate_legs(host, legs)
    if not idempotency_key or len(idempotency_key) > 200:
        raise LedgerError("an idempotency key of 1 to 200 characters is required")
    effective_date = effective_date or timezone.localdate()
    debits: dict[int, int] = defaultdict(int)
    credits: dict[int, int] = defaultdict(int)
    for leg in legs:
        debits[leg.debit.pk] += leg.amount
        credits[leg.credit.pk] += leg.amount
    ids = sorted(debits.keys() | credits.keys())
    if connection.vendor == "postgresql":
        from opencity.ledger import pgpost

        fields = {
            "kind": kind,
            "description": description[:300],
            "idempotency_key": idempotency_key,
            "effective_date": effective_date,
            "source_type": source_type,
            "source_id": source_id,
            "person_id": person.pk if person is not None else None,
            "anonymous": anonymous,
            "counterparty_label": counterparty_label[:200],
            "created_by_id": created_by.pk if created_by is not None else None,
            "reverses_id": reverses.pk if reverses is not None else None,
            "reason": reason[:300],
            "facts": facts or None,
        }
        try:
            return pgpost.post(host=host, legs=legs, fields=fields, debits=debits, credits=credits, ids=ids)
        except IntegrityError:
            existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
            raise
    try:
        with transaction.atomic():
            # A twin in flight holds the key's index entry: this INSERT waits for it, then fails on commit.
            journal = Journal.objects.create(
                host=host,
                kind=kind,
                description=description[:300],
                idempotency_key=idempotency_key,
                effective_date=effective_date,
                source_type=source_type,
                source_id=source_id,
                person=person,
                anonymous=anonymous,
                counterparty_label=counterparty_label[:200],
                created_by=created_by,
                reverses=reverses,
                reason=reason[:300],
                facts=facts or None,
            )
            locked = lock_accounts(ids)
            Transfer.objects.bulk_create(
                [
                    Transfer(
                        journal=journal,
                        debit_account_id=leg.debit.pk,
                        credit_account_id=leg.credit.pk,
                        amount=leg.amount,
                        currency=host.currency,
                        kind=leg.kind,
                        description=(leg.description or description)[:300],
                        idempotency_key=f"{idempotency_key}:{i}",
                        reversal_of=leg.reversal_of,
                        effective_date=effective_date,
                        created_at=journal.created_at,
                    )
                    for i, leg in enumerate(legs)
                ]
            )
            for pk, debits_posted, credits_posted, guarded in locked:
                if guarded and debits_posted + debits[pk] > credits_posted + credits[pk]:
                    raise InsufficientFunds()
            Account.objects.filter(pk__in=ids).update(
                debits_posted=F("debits_posted") + _per_account(debits, ids),
                credits_posted=F("credits_posted") + _per_account(credits, ids),
            )
    except IntegrityError:
        # The key was used already (a retry) or by a twin that committed first: the key decides.
        existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        raise
    return journal


def _per_account(amounts: dict[int, int], ids: list[int]):
    """`CASE id WHEN … THEN amount … ELSE 0 END`: one UPDATE bumps every account of the journal."""
    whens = [When(pk=pk, then=Value(amounts[pk])) for pk in ids if amounts.get(pk)]
    if not whens:
        return Value(0)
    return Case(*whens, default=Value(0), output_field=BigIntegerField())


# --- business postings shared by contributions, tickets, added funds -------------------------------


def host_fee_for(collective, amount: int) -> int:
    """The collective's host fee (its own percent, or the host default) on `amount`, rounded half-even."""
    from opencity.money import Money

    if collective.is_host_profile:
        return 0
    return Money(amount, collective.currency).percent(collective.effective_host_fee_percent).amount


def _funds_and_fees_accounts(collective, *, with_fees: bool) -> tuple[Account, Account | None]:
    """The collective's funds and its host's fees accounts in one query (created if missing).

    Remembered on this collective instance (accounts are never deleted nor re-assigned; their totals are
    always re-read under lock by post_journal), so a batch posting for one collective looks them up once.
    """
    memo = collective.__dict__.setdefault("_ledger_accounts", {})
    if AccountKind.COLLECTIVE_FUNDS in memo and (not with_fees or AccountKind.HOST_FEES in memo):
        return memo[AccountKind.COLLECTIVE_FUNDS], memo.get(AccountKind.HOST_FEES) if with_fees else None
    q = Q(collective=collective, kind=AccountKind.COLLECTIVE_FUNDS)
    if with_fees:
        q |= Q(host_id=collective.host_id, kind=AccountKind.HOST_FEES, collective__isnull=True, processor="")
    found = {a.kind: a for a in Account.objects.filter(q)}
    funds = found.get(AccountKind.COLLECTIVE_FUNDS) or funds_account(collective)
    fees = (
        (found.get(AccountKind.HOST_FEES) or host_account(collective.host, AccountKind.HOST_FEES))
        if with_fees
        else None
    )
    memo[AccountKind.COLLECTIVE_FUNDS] = funds
    if fees is not None:
        memo[AccountKind.HOST_FEES] = fees
    return funds, fees


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
    facts: dict | None = None,
) -> Journal:
    """Money arriving for a collective: one journal with the payment, the processor fee and the host fee.

    `source_account` is where it comes from (a processor's clearing account, the host's bank for added
    funds). Fees are their own transfers so every fee is visible.
    """
    host = collective.host
    fee = host_fee_for(collective, amount) if charge_host_fee else 0
    funds, host_fees = _funds_and_fees_accounts(collective, with_fees=bool(fee))
    legs = [Leg(source_account, funds, amount, kind, description)]
    if processor_fee:
        if processor_fee_account is None:
            raise LedgerError("a processor fee needs its account")
        legs.append(Leg(funds, processor_fee_account, processor_fee, TransferKind.PROCESSOR_FEE))
    if fee:
        legs.append(Leg(funds, host_fees, fee, TransferKind.HOST_FEE))
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
        facts=facts,
    )


def journal_reverse(
    *,
    journal: Journal,
    idempotency_key: str,
    reason: str,
    created_by=None,
    kind: str | None = None,
    effective_date: dt.date | None = None,
    why: str = "",
) -> Journal:
    """Post the mirror of every transfer of `journal` (debit and credit swapped), linked to it.

    Nothing is edited. A reason is required (it is shown next to the reversal). Refused with
    InsufficientFunds when the collective has already spent the money. A journal is reversed at most once;
    the same key again returns the first reversal.
    """
    existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why this entry is reversed."), code="reason_required", field="reason")
    if journal.reverses_id is not None:
        raise LedgerError(_("A reversal cannot itself be reversed; record a new entry instead."), code="is_reversal")
    if Journal.objects.filter(reverses=journal).exists():
        raise AlreadyReversed()
    transfers = list(journal.transfers.select_related("debit_account", "credit_account").order_by("pk"))
    legs = [
        Leg(
            t.credit_account,
            t.debit_account,
            t.amount,
            # A refund's main leg becomes REFUND; its fee legs stay fees, so pages group them as fees.
            kind if kind and t.kind == journal.kind else t.kind,
            t.description,  # what a person wrote stays as written; the sentence is written when shown
            t,
        )
        for t in transfers
    ]
    try:
        return post_journal(
            host=journal.host,
            idempotency_key=idempotency_key,
            kind=kind or journal.kind,
            legs=legs,
            description=journal.description,
            effective_date=effective_date,
            source_type=journal.source_type,
            source_id=journal.source_id,
            person=journal.person,
            anonymous=journal.anonymous,
            counterparty_label=journal.counterparty_label,
            created_by=created_by,
            reverses=journal,
            reason=reason,
            # `why`: a system reason (ledger/phrases.py) instead of words typed by a person.
            facts=phrases.facts(phrases.REVERSAL, reason="" if why else reason, why=why, of=phrases.facts_of(journal)),
        )
    except IntegrityError:
        # Another key reversed it between our check and our insert (unique `reverses`).
        raise AlreadyReversed() from None


# Added funds and gifts between collectives live in ledger/funds.py; re-exported here (one import for callers).
from opencity.ledger.bulk import JournalSpec, post_journals  # noqa: E402,F401 - many journals at once (imports)
from opencity.ledger.funds import added_funds_record, added_funds_reverse, collective_transfer  # noqa: E402

__all__ = [
    "Account",
    "AccountKind",
    "AlreadyReversed",
    "InsufficientFunds",
    "Journal",
    "Leg",
    "LedgerError",
    "Transfer",
    "TransferKind",
    "added_funds_record",
    "added_funds_reverse",
    "collective_transfer",
    "funds_account",
    "host_account",
    "host_fee_for",
    "host_open_accounts",
    "journal_reverse",
    "post_journal",
    "record_incoming_payment",
]
