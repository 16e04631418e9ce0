"""Matching a statement's new lines in bulk: one transaction per batch of lines, set-based.

For the common case — a credit whose structured communication belongs to a pending one-time gift for the
exact amount — a batch is a handful of statements whatever its size: the lines locked in one query, their
payment references found in one query, the contributions locked in one query, every bank leg posted in one
`ledger.services.post_journals` call, the contributions settled by `contributions.settle_many` (one more),
the lines updated in one UPDATE and their events in one INSERT. The journals are the ones the one-by-one
path (matching.line_match) posts for the same lines: same kinds, keys, facts and host fees.

Every other line (a membership's standing order, a different amount, a ticket order, a debit, a processor
payout, an unknown communication) goes through `matching.line_match` in a savepoint of the same batch: a
line whose match is refused stays new and is tried again at the next import of its file.
"""

from __future__ import annotations

from django.db import transaction

from opencity.banking import matching
from opencity.banking.models import (
    BankAccount,
    BankLineEvent,
    BankStatementLine,
    LineState,
    MatchKind,
    PaymentReference,
)
from opencity.contributions.models import Contribution, Interval
from opencity.contributions.settle_many import Payment, contributions_record_paid_many
from opencity.core.bulk import bulk_set
from opencity.core.errors import DomainError
from opencity.ledger import services as ledger
from opencity.ledger.errors import LedgerError
from opencity.ledger.models import AccountKind, TransferKind

BATCH = 5000
S = Contribution.Status


def lines_match(*, lines, progress=None) -> int:
    """Match new lines, one commit per batch; the number matched."""
    matched = 0
    lines = list(lines)
    for i in range(0, len(lines), BATCH):
        chunk = lines[i : i + BATCH]
        with transaction.atomic():
            open_lines = list(
                BankStatementLine.objects.select_for_update(of=("self",))
                .filter(pk__in=[ln.pk for ln in chunk], state=LineState.NEW)
                .order_by("pk")
            )  # a twin run that got here first leaves nothing to do
            done = _settle_gifts(open_lines)
            matched += len(done)
            if progress:
                progress(len(chunk) - len(open_lines) + len(done))
            for line in open_lines:
                if line.pk in done:
                    continue
                try:
                    if matching.line_match(line=line).state == LineState.MATCHED:
                        matched += 1
                except (DomainError, LedgerError):
                    pass  # rolled back to the line's savepoint; it stays NEW
                if progress:
                    progress(1)
    return matched


def _settle_gifts(open_lines: list[BankStatementLine]) -> set[int]:
    """Settle, set-based, the credits among `open_lines` (locked, NEW) that pay a pending one-time gift
    exactly; their ids."""
    lines = [ln for ln in open_lines if ln.amount > 0]
    if not lines:
        return set()
    accounts = {
        a.pk: a for a in BankAccount.objects.select_related("host").filter(pk__in={ln.bank_account_id for ln in lines})
    }
    candidates: dict[int, list[str]] = {}
    wanted: dict[int, set[str]] = {}
    for ln in lines:
        ln.bank_account = accounts[ln.bank_account_id]
        candidates[ln.pk] = matching.reference_candidates(ln)
        wanted.setdefault(ln.bank_account.host_id, set()).update(candidates[ln.pk])
    refs: dict[tuple[int, str], tuple[int, int | None]] = {}  # → (contribution id, recurring id)
    for host_id, comms in wanted.items():
        for comm, contribution_id, recurring_id in PaymentReference.objects.filter(
            host_id=host_id, communication__in=comms
        ).values_list("communication", "contribution_id", "recurring_id"):
            refs[(host_id, comm)] = (contribution_id, recurring_id)
    line_ref = {}
    for ln in lines:
        host_id = ln.bank_account.host_id
        ref = next((refs[(host_id, c)] for c in candidates[ln.pk] if (host_id, c) in refs), None)
        if ref is not None:
            line_ref[ln.pk] = ref
    if not line_ref:
        return set()
    open_gifts = {
        pk: amount
        for pk, amount in Contribution.objects.select_for_update(of=("self",))
        .filter(
            pk__in=sorted({contribution_id for contribution_id, _r in line_ref.values()}),
            journal=None,
            status__in=(S.PENDING, S.CANCELLED, S.FAILED),
            interval=Interval.ONE_TIME,
        )
        .exclude(purpose=Contribution.Purpose.TICKET)
        .order_by("pk")
        .values_list("pk", "amount")
    }
    chosen: list[tuple[BankStatementLine, int]] = []
    taken: set[int] = set()
    for ln in lines:
        contribution_id, recurring_id = line_ref.get(ln.pk, (None, None))
        if contribution_id is None or contribution_id in taken:
            continue
        taken.add(contribution_id)  # a second line for the same contribution: one by one (paid, or a month)
        if open_gifts.get(contribution_id) == ln.amount and recurring_id is None:
            chosen.append((ln, contribution_id))
    if not chosen:
        return set()
    bank, clearing = {}, {}
    specs = []
    for ln, _cid in chosen:
        acc = ln.bank_account
        if acc.pk not in bank:
            bank[acc.pk] = matching.bank_ledger_account(acc)
            clearing[acc.pk] = ledger.host_account(acc.host, AccountKind.CLEARING, processor=matching.PROCESSOR)
        specs.append(
            matching.bank_leg_spec(
                ln, clearing[acc.pk], TransferKind.SETTLEMENT, "Bank transfer received", bank=bank[acc.pk]
            )
        )
    journals = ledger.post_journals(specs)
    paid = contributions_record_paid_many(
        payments=[Payment(cid, f"bank_{ln.public_id}", ln.booking_date) for ln, cid in chosen],
        processor=matching.PROCESSOR,
    )
    events = []
    for (ln, cid), journal in zip(chosen, journals, strict=True):
        c = paid[cid]
        ln.journal = journal
        ln.contribution = c
        ln.collective_id = c.collective_id
        ln.match_kind = MatchKind.CONTRIBUTION
        events.append(BankLineEvent(line=ln, from_state=ln.state, to_state=LineState.MATCHED, note=c.public_id))
        ln.state = LineState.MATCHED
    BankLineEvent.objects.bulk_create(events, batch_size=5000)
    bulk_set(
        BankStatementLine, [ln for ln, _cid in chosen], ["journal", "contribution", "collective", "match_kind", "state"]
    )
    return {ln.pk for ln, _cid in chosen}
