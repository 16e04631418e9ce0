"""Many journals in one go: `post_journals(specs)` posts a batch with the semantics of `post_journal` each.

For imports (a bank statement of 50,000 credits): on PostgreSQL the batch is four statements, whatever its
size, in one transaction (the caller's, or a savepoint inside it):

1. one `INSERT … SELECT FROM unnest(…) ON CONFLICT (idempotency_key) DO NOTHING RETURNING` for the journals:
   a key already used (a retry, or a twin that committed first) inserts nothing and returns the first
   journal, exactly like `post_journal`; a twin still in flight makes the INSERT wait for it;
2. one `INSERT … SELECT FROM unnest(…)` for the transfers of the journals just inserted;
3. the touched accounts locked in id order `FOR NO KEY UPDATE` (as pgpost does);
4. their cached totals bumped in one UPDATE; the CHECK constraint `account_no_overdraft` refuses a funds
   account below zero (InsufficientFunds, and nothing of the batch is kept). The check applies to the
   batch's net movement per account: a batch is atomic, so no one ever sees its middle.

On SQLite (one writer at a time) the same steps through the ORM: the write lock taken first (so the keys found
free stay free), the journals and transfers in bulk INSERTs, the guarded accounts checked, the totals bumped
per account. Either way the journals and
transfers are the ones `post_journal` would write for the same specs (same columns, keys `<key>:<n>`, facts).
Rollup tables maintained by triggers on `ledger_transfer` INSERT see these rows like any other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from opencity.ledger.errors import InsufficientFunds, LedgerError
from opencity.ledger.locks import lock_accounts
from opencity.ledger.models import Journal


@dataclass
class JournalSpec:
    """The keyword arguments of `post_journal`, as one value (see its docstring for each)."""

    host: object
    idempotency_key: str
    kind: str
    legs: list
    description: str = ""
    effective_date: dt.date | None = None
    source_type: str = ""
    source_id: str = ""
    person: object = None
    anonymous: bool = False
    counterparty_label: str = ""
    created_by: object = None
    reverses: Journal | None = None
    reason: str = ""
    facts: dict | None = None
    extra: dict = field(default_factory=dict)  # not posted: for the caller's own bookkeeping

    def kwargs(self) -> dict:
        return {
            "host": self.host,
            "idempotency_key": self.idempotency_key,
            "kind": self.kind,
            "legs": self.legs,
            "description": self.description,
            "effective_date": self.effective_date,
            "source_type": self.source_type,
            "source_id": self.source_id,
            "person": self.person,
            "anonymous": self.anonymous,
            "counterparty_label": self.counterparty_label,
            "created_by": self.created_by,
            "reverses": self.reverses,
            "reason": self.reason,
            "facts": self.facts,
        }


def post_journals(specs: list[JournalSpec]) -> list[Journal]:
    """Post every spec as `post_journal` would, in one transaction; the journals in the order of `specs`.

    A spec whose key was used before (or earlier in the same batch) posts nothing and gets the first journal.
    """
    from opencity.ledger import services

    specs = list(specs)
    if not specs:
        return []
    for spec in specs:
        services._validate_legs(spec.host, spec.legs)
        if not spec.idempotency_key or len(spec.idempotency_key) > 200:
            raise LedgerError("an idempotency key of 1 to 200 characters is required")
    with transaction.atomic():
        return _post_pg(specs) if connection.vendor == "postgresql" else _post_portable(specs)


_JOURNAL_SQL = """
INSERT INTO ledger_journal (public_id, host_id, kind, description, idempotency_key, effective_date, created_at,
    created_by_id, source_type, source_id, person_id, anonymous, counterparty_label, reverses_id, reason, facts)
SELECT v.public_id, v.host_id, v.kind, v.description, v.key, v.effective_date, %s, v.created_by_id, v.source_type,
    v.source_id, v.person_id, v.anonymous, v.counterparty_label, v.reverses_id, v.reason, v.facts::jsonb
FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::date[], %s::bigint[], %s::text[],
    %s::text[], %s::bigint[], %s::boolean[], %s::text[], %s::bigint[], %s::text[], %s::text[])
    WITH ORDINALITY AS v(public_id, host_id, kind, description, key, effective_date, created_by_id, source_type,
    source_id, person_id, anonymous, counterparty_label, reverses_id, reason, facts, n)
ORDER BY v.n
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id, idempotency_key
"""

_TRANSFER_SQL = """
INSERT INTO ledger_transfer (journal_id, debit_account_id, credit_account_id, amount, currency, kind, description,
    idempotency_key, reversal_of_id, effective_date, created_at)
SELECT v.j, v.d, v.c, v.a, v.cur, v.k, v.descr, v.key, v.rev, v.eff, %s
FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
    %s::bigint[], %s::date[]) AS v(j, d, c, a, cur, k, descr, key, rev, eff)
"""

_LOCK_SQL = "SELECT 1 FROM ledger_account WHERE id = ANY(%s::bigint[]) ORDER BY id FOR NO KEY UPDATE"

_BUMP_SQL = """
UPDATE ledger_account AS acc
SET debits_posted = acc.debits_posted + v.dt, credits_posted = acc.credits_posted + v.ct
FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, dt, ct)
WHERE acc.id = v.id
"""


def _facts_json(facts: dict | None) -> str | None:
    return json.dumps(facts, cls=DjangoJSONEncoder) if facts else None


def _post_pg(specs: list[JournalSpec]) -> list[Journal]:
    from opencity.ledger import pgpost

    public_id_default = Journal._meta.get_field("public_id").get_default
    created_at = timezone.now()
    today = timezone.localdate()
    unique = _unique_specs(specs)
    public_ids = [public_id_default() for _ in unique]
    cols = [
        public_ids,
        [s.host.pk for s in unique],
        [str(s.kind) for s in unique],
        [s.description[:300] for s in unique],
        [s.idempotency_key for s in unique],
        [s.effective_date or today for s in unique],
        [s.created_by.pk if s.created_by is not None else None for s in unique],
        [s.source_type for s in unique],
        [s.source_id for s in unique],
        [s.person.pk if s.person is not None else None for s in unique],
        [bool(s.anonymous) for s in unique],
        [s.counterparty_label[:200] for s in unique],
        [s.reverses.pk if s.reverses is not None else None for s in unique],
        [s.reason[:300] for s in unique],
        [_facts_json(s.facts) for s in unique],
    ]
    with connection.cursor() as cur:
        cur.execute(_JOURNAL_SQL, [created_at, *cols])
        inserted = dict((key, pk) for pk, key in cur.fetchall())
    journals: dict[str, Journal] = {}
    j_ids, debit_ids, credit_ids, amounts, currencies, kinds, descrs, keys, revs, effs = ([] for _ in range(10))
    debits: dict[int, int] = defaultdict(int)
    credits: dict[int, int] = defaultdict(int)
    for spec, public_id in zip(unique, public_ids, strict=True):
        key = spec.idempotency_key
        if key not in inserted:
            continue
        journal = Journal(
            id=inserted[key],
            public_id=public_id,
            host=spec.host,
            kind=spec.kind,
            description=spec.description[:300],
            idempotency_key=key,
            effective_date=spec.effective_date or today,
            created_at=created_at,
            created_by=spec.created_by,
            source_type=spec.source_type,
            source_id=spec.source_id,
            person=spec.person,
            anonymous=bool(spec.anonymous),
            counterparty_label=spec.counterparty_label[:200],
            reverses=spec.reverses,
            reason=spec.reason[:300],
            facts=spec.facts or None,
        )
        journal._state.adding = False
        journal._state.db = connection.alias
        journals[key] = journal
        for n, leg in enumerate(spec.legs):
            j_ids.append(journal.id)
            debit_ids.append(leg.debit.pk)
            credit_ids.append(leg.credit.pk)
            amounts.append(leg.amount)
            currencies.append(spec.host.currency)
            kinds.append(str(leg.kind))
            descrs.append((leg.description or spec.description)[:300])
            keys.append(f"{key}:{n}")
            revs.append(leg.reversal_of.pk if leg.reversal_of is not None else None)
            effs.append(journal.effective_date)
            debits[leg.debit.pk] += leg.amount
            credits[leg.credit.pk] += leg.amount
    missing = [s.idempotency_key for s in unique if s.idempotency_key not in inserted]
    if missing:
        journals.update({j.idempotency_key: j for j in Journal.objects.filter(idempotency_key__in=missing)})
    if j_ids:
        ids = sorted(debits.keys() | credits.keys())
        try:
            with connection.cursor() as cur:
                # Lock the accounts first, in id order, as `ledger_post_journal` does: the rollup trigger then
                # updates month rows under the same locks, so a batch and a single posting never deadlock.
                cur.execute(_LOCK_SQL, [ids])
                if cur.rowcount != len(ids):
                    raise LedgerError("unknown account")
                cur.execute(
                    _TRANSFER_SQL,
                    [created_at, j_ids, debit_ids, credit_ids, amounts, currencies, kinds, descrs, keys, revs, effs],
                )
                cur.execute(_BUMP_SQL, [ids, [debits.get(pk, 0) for pk in ids], [credits.get(pk, 0) for pk in ids]])
        except IntegrityError as exc:
            if pgpost._constraint(exc) == pgpost.OVERDRAFT_CONSTRAINT:
                raise InsufficientFunds() from None
            raise
    return [journals[s.idempotency_key] for s in specs]


def _unique_specs(specs: list[JournalSpec]) -> list[JournalSpec]:
    first: dict[str, JournalSpec] = {}
    for spec in specs:
        first.setdefault(spec.idempotency_key, spec)
    return list(first.values())


def _post_portable(specs: list[JournalSpec]) -> list[Journal]:
    from django.db.models import F

    from opencity.ledger.models import Account, Transfer

    with connection.cursor() as cur:  # SQLite: take the write lock now (no row matches: nothing changes)
        cur.execute("UPDATE ledger_account SET debits_posted = debits_posted WHERE id = -1")
    unique = _unique_specs(specs)
    keys = [s.idempotency_key for s in unique]
    journals: dict[str, Journal] = {}
    for i in range(0, len(keys), 500):
        journals.update({j.idempotency_key: j for j in Journal.objects.filter(idempotency_key__in=keys[i : i + 500])})
    new = [s for s in unique if s.idempotency_key not in journals]
    if not new:
        return [journals[s.idempotency_key] for s in specs]
    today = timezone.localdate()
    created = Journal.objects.bulk_create(
        [
            Journal(
                host=s.host,
                kind=s.kind,
                description=s.description[:300],
                idempotency_key=s.idempotency_key,
                effective_date=s.effective_date or today,
                source_type=s.source_type,
                source_id=s.source_id,
                person=s.person,
                anonymous=bool(s.anonymous),
                counterparty_label=s.counterparty_label[:200],
                created_by=s.created_by,
                reverses=s.reverses,
                reason=s.reason[:300],
                facts=s.facts or None,
            )
            for s in new
        ],
        batch_size=1000,
    )
    if created and created[0].pk is None:  # a backend that does not return ids
        by_key = {
            j.idempotency_key: j for j in Journal.objects.filter(idempotency_key__in=[s.idempotency_key for s in new])
        }
        created = [by_key[s.idempotency_key] for s in new]
    debits: dict[int, int] = defaultdict(int)
    credits: dict[int, int] = defaultdict(int)
    transfers = []
    for spec, journal in zip(new, created, strict=True):
        journals[spec.idempotency_key] = journal
        for n, leg in enumerate(spec.legs):
            transfers.append(
                Transfer(
                    journal=journal,
                    debit_account_id=leg.debit.pk,
                    credit_account_id=leg.credit.pk,
                    amount=leg.amount,
                    currency=spec.host.currency,
                    kind=leg.kind,
                    description=(leg.description or spec.description)[:300],
                    idempotency_key=f"{spec.idempotency_key}:{n}",
                    reversal_of=leg.reversal_of,
                    effective_date=journal.effective_date,
                    created_at=journal.created_at,
                )
            )
            debits[leg.debit.pk] += leg.amount
            credits[leg.credit.pk] += leg.amount
    Transfer.objects.bulk_create(transfers, batch_size=1000)
    ids = sorted(debits.keys() | credits.keys())
    locked = lock_accounts(ids)
    for pk, debits_posted, credits_posted, guarded in locked:
        if guarded and debits_posted + debits[pk] > credits_posted + credits[pk]:
            raise InsufficientFunds()
    for pk in ids:
        Account.objects.filter(pk=pk).update(
            debits_posted=F("debits_posted") + debits[pk], credits_posted=F("credits_posted") + credits[pk]
        )
    return [journals[s.idempotency_key] for s in specs]
