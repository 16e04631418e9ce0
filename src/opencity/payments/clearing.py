"""A processor's clearing account: what the processor owes the host.

Every payment by card is first money the processor holds for the host. Its clearing account follows that
money exactly, so the host can check the processor's payouts against the books:

- a contribution posts the gross amount from clearing to the collective's funds (the processor holds it);
- the processor's card fee is posted from the funds back to clearing (the processor keeps it out of what
  it owes), and so is a dispute fee; a fee the processor gives back goes from clearing to the funds;
- a refund or a lost dispute posts the amount from the funds to clearing (the processor paid it out to the
  card holder); a refund that fails, or a dispute won, posts it back.

So what the processor owes is always gross − fees − refunds (± disputes), which is what it pays out to the
host's bank. A payout posts that amount from clearing to the bank account (`processor_payout_record`):
when every payment of a payout period has been paid out, the clearing account is back at zero. The bank
statement's payout line is what calls it (matched by the processor's payout id).

Signs: like the bank account, clearing is money the host is owed or holds, so its ledger balance (credits
− debits) is negative while the processor holds money for the host; `clearing_owed` gives it as positive.
"""

from __future__ import annotations

import datetime as dt

from opencity.ledger.models import AccountKind, Journal, TransferKind
from opencity.ledger.services import LedgerError, Leg, host_account, post_journal


def clearing_owed(*, host, processor: str) -> int:
    """What `processor` owes the host now (minor units): gross − fees − refunds not yet paid out."""
    return -host_account(host, AccountKind.CLEARING, processor=processor).balance


def processor_payout_record(
    *, host, processor: str, amount: int, external_id: str, effective_date: dt.date | None = None, by=None
) -> Journal:
    """The processor paid `amount` out to the host's bank (its payout `external_id`, e.g. Stripe's po_…):
    clearing → bank, once per payout id (the same payout again returns the first journal)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise LedgerError("a payout is a positive amount of minor units")
    clearing = host_account(host, AccountKind.CLEARING, processor=processor)
    bank = host_account(host, AccountKind.BANK)
    return post_journal(
        host=host,
        idempotency_key=f"{processor}_payout_{external_id}"[:200],
        kind=TransferKind.SETTLEMENT,
        legs=[Leg(bank, clearing, amount, TransferKind.SETTLEMENT)],
        effective_date=effective_date,
        source_type="processor_payout",
        source_id=external_id[:40],
        counterparty_label=processor,
        created_by=by,
    )
