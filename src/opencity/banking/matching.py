"""What each bank line is: matched automatically, or assigned by a host admin. Every choice posts through
`opencity.ledger.services` with a key derived from the line, so a retry moves nothing twice.

Money in the host's bank is the ledger's BANK account (one per BankAccount). A credit for a pending
bank-transfer contribution is posted in two journals of one transaction: bank → the bank-transfer
clearing account (the line), then clearing → the collective with the host fee (the contribution, settled by
`contributions.settlement.contribution_record_paid`, like any processor's payment).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opencity.banking import communication
from opencity.banking.models import (
    BankAccount,
    BankLineEvent,
    BankStatementLine,
    LineState,
    MatchKind,
    PaymentReference,
)
from opencity.contributions import settlement
from opencity.contributions.models import Contribution, RecurringContribution
from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind, Journal, TransferKind

PROCESSOR = "bank_transfer"
S = Contribution.Status
RS = RecurringContribution.Status
_STRIPE = re.compile(r"\bstripe\b", re.IGNORECASE)


def bank_ledger_account(account: BankAccount):
    return ledger.host_account(account.host, AccountKind.BANK, processor=account.ledger_processor)


def _set_state(line: BankStatementLine, to: str, *, by=None, note: str = "") -> None:
    BankLineEvent.objects.create(line=line, from_state=line.state, to_state=to, by=by, note=note[:300])
    line.state = to


def _key(line: BankStatementLine, what: str) -> str:
    return f"bankline:{line.public_id}:{line.undo_count}:{what}"


def bank_leg_spec(line: BankStatementLine, other, kind: str, description: str, *, by=None, bank=None):
    """The line itself in the ledger: bank ↔ `other` for the line's amount, on its booking date."""
    bank = bank or bank_ledger_account(line.bank_account)
    debit, credit = (bank, other) if line.amount > 0 else (other, bank)
    return ledger.JournalSpec(
        host=line.bank_account.host,
        idempotency_key=_key(line, "bank"),
        kind=kind,
        legs=[ledger.Leg(debit, credit, abs(line.amount), kind, description)],
        description=description,
        effective_date=line.booking_date,
        source_type="bank_line",
        source_id=line.public_id,
        counterparty_label="",
        created_by=by,
    )


def _post_bank_leg(line: BankStatementLine, other, kind: str, description: str, *, by=None) -> Journal:
    return ledger.post_journal(**bank_leg_spec(line, other, kind, description, by=by).kwargs())


def reference_candidates(line: BankStatementLine) -> list[str]:
    """The structured communications a line may carry: its structured field, then any found in free text."""
    candidates = [line.structured_communication] if line.structured_communication else []
    return candidates + [c for c in communication.find(line.communication) if c not in candidates]


def reference_for_line(line: BankStatementLine) -> PaymentReference | None:
    candidates = reference_candidates(line)
    if not candidates:
        return None
    refs = {
        r.communication: r
        for r in PaymentReference.objects.filter(
            communication__in=candidates, host_id=line.bank_account.host_id
        ).select_related("contribution__collective__host", "recurring")
    }
    return next((refs[c] for c in candidates if c in refs), None)


def line_match(*, line: BankStatementLine) -> BankStatementLine:
    """Match one new line (credit: a contribution or a membership by its communication, a processor payout;
    debit: one of our payouts by its end-to-end id). Anything else waits in the unmatched queue."""
    with transaction.atomic():
        line = BankStatementLine.objects.select_for_update().select_related("bank_account__host").get(pk=line.pk)
        if line.state != LineState.NEW:
            return line
        done = _match_credit(line) if line.amount > 0 else _match_debit(line)
        if not done:
            _set_state(line, LineState.UNMATCHED)
        line.save()
    return line


def _match_credit(line: BankStatementLine) -> bool:
    ref = reference_for_line(line)
    if ref is not None:
        c = Contribution.objects.select_for_update().get(pk=ref.contribution_id)
        if c.journal_id is None and c.status in (S.PENDING, S.CANCELLED, S.FAILED):
            _settle_contribution(line, c, ref)
            return True
        rec = ref.recurring or c.recurring
        if rec is not None and c.journal_id is not None:
            _record_standing_order(line, rec)
            return True
        line.flag = "already_paid"
        return False
    if _STRIPE.search(line.counterparty_name) or _STRIPE.search(line.communication):
        clearing = ledger.host_account(line.bank_account.host, AccountKind.CLEARING, processor="stripe")
        line.journal = _post_bank_leg(line, clearing, TransferKind.SETTLEMENT, "Stripe payout")
        line.match_kind = MatchKind.PROCESSOR
        _set_state(line, LineState.MATCHED, note="stripe")
        return True
    return False


def _settle_contribution(line: BankStatementLine, c: Contribution, ref: PaymentReference) -> None:
    clearing = ledger.host_account(line.bank_account.host, AccountKind.CLEARING, processor=PROCESSOR)
    line.journal = _post_bank_leg(line, clearing, TransferKind.SETTLEMENT, "Bank transfer received")
    if settlement.contribution_record_amount_received(contribution=c, amount=line.amount):
        line.flag = "amount_differs"  # recorded as received; an admin should look
    c = settlement.contribution_record_paid(
        contribution=c,
        processor=PROCESSOR,
        processor_fee=0,
        external_payment_id=f"bank_{line.public_id}",
        effective_date=line.booking_date,
    )
    if c.recurring_id and ref.recurring_id != c.recurring_id:
        PaymentReference.objects.filter(pk=ref.pk).update(recurring=c.recurring_id)
    line.contribution = c
    line.collective = c.collective
    line.match_kind = MatchKind.CONTRIBUTION
    _set_state(line, LineState.MATCHED, note=c.public_id)


def _record_standing_order(line: BankStatementLine, rec: RecurringContribution) -> None:
    """One month (or year) of a membership paid by standing order; a lapsed one comes back to life."""
    from opencity.banking.standing_orders import recurring_revive

    clearing = ledger.host_account(line.bank_account.host, AccountKind.CLEARING, processor=PROCESSOR)
    line.journal = _post_bank_leg(line, clearing, TransferKind.SETTLEMENT, "Standing order received")
    recurring_revive(recurring=rec, note=line.public_id)
    c = settlement.contribution_record_renewal(
        recurring=rec,
        amount=line.amount,
        processor_fee=0,
        external_invoice_id=f"bank_{line.public_id}",
        effective_date=line.booking_date,
    )
    if line.amount != rec.amount:
        line.flag = "amount_differs"
    line.contribution = c
    line.collective = c.collective
    line.match_kind = MatchKind.MEMBERSHIP
    _set_state(line, LineState.MATCHED, note=c.public_id)


def _match_debit(line: BankStatementLine) -> bool:
    if not line.end_to_end_id:
        return False
    from opencity.expenses.payouts import payout_line_settle

    payout = payout_line_settle(end_to_end_id=line.end_to_end_id, paid_on=line.booking_date)
    if payout is None or payout.settled_journal_id is None:
        return False
    if payout.amount != -line.amount:
        line.flag = "amount_differs"
    line.journal_id = payout.settled_journal_id
    line.match_kind = MatchKind.PAYOUT
    _set_state(line, LineState.MATCHED, note=payout.end_to_end_id)
    return True


# --- the unmatched queue: a host admin decides -------------------------------------------------------


def _lock_open(line: BankStatementLine, by, system: bool = False) -> BankStatementLine:
    """The open line, locked; `system=True`: a trusted internal caller (the demo seeder), no person clicked."""
    from opencity.banking import permissions

    host = line.bank_account.host
    if system:
        pass
    elif not permissions.can_view_bank(by, host):
        raise PermissionDenied()
    elif not permissions.can_assign_line(by, host):
        raise PermissionDenied(
            _("Turn on two-factor authentication in your settings before moving money."), code="2fa_required"
        )
    line = BankStatementLine.objects.select_for_update().select_related("bank_account__host").get(pk=line.pk)
    if line.state not in (LineState.UNMATCHED, LineState.LEFT):
        raise Conflict(_("This line is already settled."), code="line_not_open")
    return line


def line_assign_added_funds(
    *, line: BankStatementLine, collective, by, description: str = "", system: bool = False
) -> BankStatementLine:
    """A credit the host received for a collective (a sponsor's transfer): added funds, with the host fee."""
    if line.amount <= 0:
        raise ValidationFailed(_("Only money received can be given to a collective."), code="not_a_credit")
    with transaction.atomic():
        line = _lock_open(line, by, system)
        if collective.host_id != line.bank_account.host_id or not collective.is_active:
            raise ValidationFailed(_("Choose an active collective of this host."), code="invalid_collective")
        label = line.counterparty_name or str(_("Bank transfer"))
        line.journal = ledger.record_incoming_payment(
            collective=collective,
            amount=line.amount,
            idempotency_key=_key(line, "bank"),
            source_account=bank_ledger_account(line.bank_account),
            kind=TransferKind.ADDED_FUNDS,
            description=(description or line.communication or "Bank transfer")[:300],
            effective_date=line.booking_date,
            source_type="bank_line",
            source_id=line.public_id,
            counterparty_label=label[:200],
            created_by=by,
        )
        line.collective = collective
        line.match_kind = MatchKind.ADDED_FUNDS
        _set_state(line, LineState.ASSIGNED, by=by, note=collective.slug)
        line.save()
    return line


def line_assign_contribution(
    *, line: BankStatementLine, collective, by, name: str, email: str = "", public: bool = False
) -> BankStatementLine:
    """A credit that is a gift from a named person: a contribution (shown by name only if `public`)."""
    if line.amount <= 0:
        raise ValidationFailed(_("Only money received can be given to a collective."), code="not_a_credit")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter the contributor's name."), code="name_required", field="name")
    person = None
    if (email or "").strip():
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        from opencity.community.services import person_find_or_create

        try:
            validate_email(email.strip())
        except ValidationError:
            raise ValidationFailed(_("Enter a valid email address."), code="invalid_email", field="email") from None
        person = person_find_or_create(email=email, name=name)
    with transaction.atomic():
        line = _lock_open(line, by)
        if collective.host_id != line.bank_account.host_id or not collective.is_active:
            raise ValidationFailed(_("Choose an active collective of this host."), code="invalid_collective")
        line.journal = ledger.record_incoming_payment(
            collective=collective,
            amount=line.amount,
            idempotency_key=_key(line, "bank"),
            source_account=bank_ledger_account(line.bank_account),
            kind=TransferKind.CONTRIBUTION,
            description="Contribution by bank transfer",
            effective_date=line.booking_date,
            source_type="bank_line",
            source_id=line.public_id,
            person=person,
            anonymous=not public,
            counterparty_label=name[:200] if public else "",
            created_by=by,
        )
        line.collective = collective
        line.match_kind = MatchKind.PERSON
        _set_state(line, LineState.ASSIGNED, by=by, note=collective.slug)
        line.save()
    return line


def line_mark_host(*, line: BankStatementLine, by, note: str = "", system: bool = False) -> BankStatementLine:
    """The host's own movement (bank fees, interest): posted between the bank and the host's own income."""
    with transaction.atomic():
        line = _lock_open(line, by, system)
        own = ledger.host_account(line.bank_account.host, AccountKind.HOST_FEES)
        line.journal = _post_bank_leg(
            line, own, TransferKind.BANK_FEE, (note or line.communication or "Bank")[:300], by=by
        )
        line.match_kind = MatchKind.HOST
        _set_state(line, LineState.HOST, by=by, note=note)
        line.save()
    return line


def line_leave(*, line: BankStatementLine, by, note: str = "") -> BankStatementLine:
    """Nothing to post (yet): out of the queue, still shown in the reconciliation."""
    with transaction.atomic():
        line = _lock_open(line, by)
        if line.state == LineState.LEFT:
            return line
        _set_state(line, LineState.LEFT, by=by, note=note)
        line.save()
    return line


def line_undo(*, line: BankStatementLine, by, reason: str) -> BankStatementLine:
    """Take back an admin's choice: its journal is reversed (never edited) and the line is open again."""
    from opencity.banking import permissions

    host = line.bank_account.host
    if not permissions.can_assign_line(by, host):
        raise PermissionDenied()
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why this entry is reversed."), code="reason_required", field="reason")
    with transaction.atomic():
        line = BankStatementLine.objects.select_for_update().select_related("bank_account__host").get(pk=line.pk)
        if line.state == LineState.LEFT:
            _set_state(line, LineState.UNMATCHED, by=by, note=reason)
        elif line.state in (LineState.ASSIGNED, LineState.HOST) and line.journal_id:
            ledger.journal_reverse(
                journal=line.journal,
                idempotency_key=f"{line.journal.idempotency_key}:undo",
                reason=reason.strip(),
                created_by=by,
                effective_date=line.booking_date,
            )
            line.journal = None
            line.collective = None
            line.match_kind = MatchKind.NONE
            line.undo_count += 1
            _set_state(line, LineState.UNMATCHED, by=by, note=reason)
        else:
            raise Conflict(_("Only a choice made by an admin can be taken back."), code="line_not_assigned")
        line.save()
    return line
