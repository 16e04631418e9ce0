"""Money a host admin records (added funds, their reversal) and gifts between collectives of one host."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.accounts.permissions import has_2fa
from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.ledger.errors import LedgerError
from opencity.ledger.models import AccountKind, Journal, TransferKind
from opencity.ledger.permissions import can_give, can_manage_ledger
from opencity.ledger.services import (
    Leg,
    funds_account,
    host_account,
    journal_reverse,
    post_journal,
    record_incoming_payment,
)
from opencity.money import MAX_AMOUNT_MINOR


def _check_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(_("Enter an amount greater than zero."), code="invalid_amount", field="amount")
    if amount > MAX_AMOUNT_MINOR:
        raise ValidationFailed(_("This amount is too large."), code="invalid_amount", field="amount")
    return amount


def _check_can_move_money(by, host, *, system: bool) -> None:
    if not can_manage_ledger(by, host):
        raise PermissionDenied(_("Only an admin of the host can record or reverse added funds."))
    if not system and not has_2fa(by):
        raise PermissionDenied(
            _("Turn on two-factor authentication in your settings before moving money."), code="2fa_required"
        )


def added_funds_record(
    *,
    collective,
    amount: int,
    source: str,
    description: str,
    date: dt.date | None = None,
    charge_host_fee: bool = True,
    by,
    idempotency_key: str | None = None,
    system: bool = False,
) -> Journal:
    """Money that reached the host's bank outside the platform (a sponsor's transfer, cash) for `collective`.

    Host admins only, with two-factor authentication on (`system=True`: a trusted internal caller such as
    the demo seeder). Posted from the host's bank account to the collective's funds, with the host fee as
    its own line unless `charge_host_fee` is False. `idempotency_key` (a form token) makes double submits
    harmless.
    """
    _check_can_move_money(by, collective.host, system=system)
    if not collective.is_active:
        raise ValidationFailed(_("Only an active collective can receive funds."), code="collective_inactive")
    _check_amount(amount)
    source = (source or "").strip()
    description = (description or "").strip()
    if not source:
        raise ValidationFailed(_("Say where the money comes from."), code="source_required", field="source")
    if not description:
        raise ValidationFailed(_("Describe what the money is for."), code="description_required", field="description")
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationFailed(_("The date cannot be in the future."), code="date_in_future", field="date")
    host = collective.host
    key = f"added_funds:{idempotency_key}" if idempotency_key else f"added_funds:{uuid.uuid4().hex}"
    return record_incoming_payment(
        collective=collective,
        amount=amount,
        idempotency_key=key[:200],
        source_account=host_account(host, AccountKind.BANK),
        charge_host_fee=charge_host_fee,
        kind=TransferKind.ADDED_FUNDS,
        description=description[:300],
        effective_date=date,
        source_type="added_funds",
        counterparty_label=source[:200],
        created_by=by,
    )


def added_funds_reverse(*, journal: Journal, reason: str, by, system: bool = False) -> Journal:
    """Cancel an added-funds entry (a bounced transfer, a typo) with a reason: a mirror journal, never an edit."""
    _check_can_move_money(by, journal.host, system=system)
    if journal.kind != TransferKind.ADDED_FUNDS or journal.reverses_id is not None:
        raise LedgerError(_("Only an added-funds entry can be reversed here."), code="not_added_funds")
    return journal_reverse(
        journal=journal, idempotency_key=f"{journal.idempotency_key}:reverse"[:200], reason=reason, created_by=by
    )


def collective_transfer(
    *,
    from_collective,
    to_collective,
    amount: int,
    description: str,
    by,
    idempotency_key: str | None = None,
    effective_date: dt.date | None = None,
    system: bool = False,
) -> Journal:
    """A collective gives to another collective of the same host: one transfer, no host fee (it was paid on entry).

    Money moved by hand: the giver needs a session that passed two-factor lately (`system`: the demo seeder)."""
    if not can_give(by, from_collective):
        raise PermissionDenied()
    if not system and not has_2fa(by):
        raise PermissionDenied(
            _("Turn on two-factor authentication in your settings before moving money."), code="2fa_required"
        )
    if from_collective.host_id != to_collective.host_id:
        raise ValidationFailed(_("Both collectives must have the same host."), code="other_host")
    if from_collective.pk == to_collective.pk:
        raise ValidationFailed(_("Choose another collective."), code="same_collective")
    if not (from_collective.is_active and to_collective.is_active):
        raise ValidationFailed(_("Both collectives must be active."), code="collective_inactive")
    _check_amount(amount)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("Describe what the money is for."), code="description_required", field="description")
    key = f"gift:{idempotency_key}" if idempotency_key else f"gift:{uuid.uuid4().hex}"
    source, target = funds_account(from_collective), funds_account(to_collective)
    return post_journal(
        host=from_collective.host,
        idempotency_key=key[:200],
        kind=TransferKind.COLLECTIVE_TRANSFER,
        legs=[Leg(source, target, amount, TransferKind.COLLECTIVE_TRANSFER, description[:300])],
        description=description[:300],
        effective_date=effective_date,
        source_type="collective_transfer",
        created_by=by,
    )
