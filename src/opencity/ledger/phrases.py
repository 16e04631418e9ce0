"""What a journal says, in the reader's language: sentences written at display time from stored facts.

A journal stores what happened as data in `Journal.facts` — `what` (a key below), `ref` (what people
typed and the sentence names: a tier, an expense title), `reason` (a reason typed by a person), `why` (a
system reason key) and, for a reversal, `of` (the facts of the reversed journal). Pages, CSV, JSON and
the API turn them into a sentence with `describe_transfer` in the active language. A journal without
facts is a person's own words (added funds, a gift between collectives): shown as written.
Internal ids (payout files, end-to-end ids, dispute ids) are never part of a sentence.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext

from opencity.ledger.models import Journal, Transfer, TransferKind

# Keys of Journal.facts["what"].
CONTRIBUTION = "contribution"
REFUND = "refund"
PARTIAL_REFUND = "partial_refund"
DISPUTE = "dispute"
DISPUTE_WON = "dispute_won"
EXPENSE = "expense"
PAYOUT = "payout"
PAYOUT_FILE_BANK_FEE = "payout_file_bank_fee"
REVERSAL = "reversal"
TICKETS = "tickets"
WHAT = {
    TICKETS,
    CONTRIBUTION,
    REFUND,
    PARTIAL_REFUND,
    DISPUTE,
    DISPUTE_WON,
    EXPENSE,
    PAYOUT,
    PAYOUT_FILE_BANK_FEE,
    REVERSAL,
}

# Keys of Journal.facts["why"]: reasons the system gives when no person typed one.
PAYMENT_FAILED = "payment_failed"
REFUND_FAILED = "refund_failed"

_RETURNS = {REFUND, PARTIAL_REFUND}


def facts(what: str, *, ref: str = "", reason: str = "", why: str = "", of: dict | None = None) -> dict:
    """The facts to store on a journal (only the keys that have a value)."""
    assert what in WHAT, what
    out: dict = {"what": what}
    if ref:
        out["ref"] = ref[:300]
    if reason:
        out["reason"] = reason[:300]
    if why:
        out["why"] = why
    if of is not None:
        out["of"] = of
    return out


def facts_of(journal: Journal) -> dict:
    """What a reversal of `journal` remembers of it: its facts, or the words a person wrote."""
    if journal.facts and journal.facts.get("what"):
        return {k: v for k, v in journal.facts.items() if k in {"what", "ref", "of"}}
    return {"text": journal.description}


def _sentence(f: dict, kind: str, main_kind: str, text: str) -> str:
    """The sentence for one transfer of `kind` in a journal whose facts are `f`."""
    what, ref = f.get("what", ""), f.get("ref", "")
    if what == REVERSAL:
        inner = _sentence(f.get("of") or {}, kind, main_kind, text)
        return gettext("Reversal: %(what)s") % {"what": inner}
    if kind == TransferKind.HOST_FEE:
        return gettext("Host fee returned") if what in _RETURNS else gettext("Host fee")
    if kind == TransferKind.PROCESSOR_FEE:
        if what == DISPUTE:
            return gettext("Dispute fee")
        if what == DISPUTE_WON:
            return gettext("Dispute fee returned")
        if what in _RETURNS:
            return gettext("Payment processor fee returned")
        return gettext("Payment processor fee")
    if kind == TransferKind.BANK_FEE:
        return gettext("Bank fee for a payout file") if what == PAYOUT_FILE_BANK_FEE else gettext("Bank fee")
    if what == CONTRIBUTION:
        return gettext("Contribution: %(tier)s") % {"tier": ref} if ref else gettext("Contribution")
    if what == TICKETS:
        return gettext("Tickets: %(event)s") % {"event": ref} if ref else gettext("Tickets")
    if what == REFUND:
        return gettext("Refund")
    if what == PARTIAL_REFUND:
        return gettext("Partial refund")
    if what == DISPUTE:
        return gettext("Dispute")
    if what == DISPUTE_WON:
        return gettext("Dispute won")
    if what == EXPENSE:
        return gettext("Expense: %(title)s") % {"title": ref} if ref else gettext("Expense")
    if what == PAYOUT:
        return gettext("Payout of an expense: %(title)s") % {"title": ref} if ref else gettext("Payout of an expense")
    # A person's own words (added funds, a gift between collectives), or the kind of the transfer.
    if f.get("text") is not None:
        return f["text"] if kind == main_kind and f["text"] else _kind_label(kind)
    return text or _kind_label(kind)


def _kind_label(kind: str) -> str:
    return str(TransferKind(kind).label) if kind in TransferKind.values else kind


def describe_transfer(t: Transfer) -> str:
    """The sentence for one transfer in the active language (its journal must be loaded)."""
    j = t.journal
    return describe_values(j.facts, t.kind, j.kind, t.description)


def describe_values(facts: dict | None, kind: str, journal_kind: str, description: str) -> str:
    """`describe_transfer` from plain values (exports read values, not model instances)."""
    f = facts or {}
    if f.get("what"):
        return _sentence(f, kind, journal_kind, description)
    if kind != journal_kind and kind in (TransferKind.HOST_FEE, TransferKind.PROCESSOR_FEE, TransferKind.BANK_FEE):
        return _kind_label(kind)  # the fee of a person's entry is a fee, not their words again
    return description or _kind_label(kind)


def describe_journal(j: Journal) -> str:
    """The sentence for a whole journal (its main transfer), in the active language."""
    f = j.facts or {}
    if f.get("what"):
        return _sentence(f, j.kind, j.kind, j.description)
    return j.description or _kind_label(j.kind)


def journal_reason(j: Journal) -> str:
    """Why a journal was posted, when that is worth showing: a person's words, or a translated system reason."""
    return reason_values(j.facts, j.reason)


def reason_values(facts: dict | None, reason: str) -> str:
    """`journal_reason` from plain values."""
    f = facts or {}
    if f.get("reason"):
        return f["reason"]
    if f.get("why") == PAYMENT_FAILED:
        return pgettext("reversal reason", "Payment failed")
    if f.get("why") == REFUND_FAILED:
        return pgettext("reversal reason", "The refund failed; the money came back")
    if not f.get("what") or f.get("what") == REVERSAL:
        return reason  # journal_reverse requires a reason typed by a person
    return ""
