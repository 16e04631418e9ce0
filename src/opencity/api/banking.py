"""The host's bank in the API (host admins, with a token): statements, lines with their match state, upload
a statement, decide about an unmatched line, reconciliation. Never public: IBANs and names are private."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from opencity.api.auth import token_auth
from opencity.api.pagination import clamp_limit, keyset_page
from opencity.api.schemas import ErrorOut, MoneyOut, money_out
from opencity.banking import matching, permissions, reconciliation, selectors, services
from opencity.banking.formats import StatementFileError, max_bytes
from opencity.banking.models import BankStatementLine, LineState
from opencity.core.errors import NotFound, PermissionDenied, ValidationFailed
from opencity.hosting import selectors as hosting_selectors

router = Router(tags=["bank"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def _host(request, slug: str):
    host = hosting_selectors.host_by_slug(slug)
    if host is None:
        raise NotFound()
    if not permissions.can_view_bank(request.auth, host):
        raise PermissionDenied()
    return host


class StatementOut(Schema):
    id: str
    account_iban: str
    format: str
    reference: str
    from_date: dt.date
    to_date: dt.date
    opening_balance: MoneyOut
    closing_balance: MoneyOut
    lines: int
    open_lines: int
    gap_before: MoneyOut | None
    imported_at: dt.datetime


class StatementPage(Schema):
    results: list[StatementOut]
    next: str | None


class LineOut(Schema):
    id: str
    statement: str
    booking_date: dt.date
    amount: MoneyOut
    counterparty_name: str
    counterparty_iban: str
    communication: str
    structured_communication: str
    end_to_end_id: str
    state: str
    match_kind: str
    flag: str
    contribution: str | None
    collective: str | None


class LinePage(Schema):
    results: list[LineOut]
    next: str | None


def _statement_out(st) -> dict:
    gap = selectors.statement_gap(st)
    return {
        "id": st.public_id,
        "account_iban": st.bank_account.iban,
        "format": st.format,
        "reference": st.reference,
        "from_date": st.from_date,
        "to_date": st.to_date,
        "opening_balance": money_out(st.opening_balance, st.currency),
        "closing_balance": money_out(st.closing_balance, st.currency),
        "lines": st.stored_lines,
        "open_lines": st.unmatched_lines,
        "gap_before": money_out(gap, st.currency) if gap else None,
        "imported_at": st.imported_at,
    }


def _line_out(ln: BankStatementLine) -> dict:
    return {
        "id": ln.public_id,
        "statement": ln.statement.public_id,
        "booking_date": ln.booking_date,
        "amount": money_out(ln.amount, ln.currency),
        "counterparty_name": ln.counterparty_name,
        "counterparty_iban": ln.counterparty_iban,
        "communication": ln.communication,
        "structured_communication": ln.structured_communication,
        "end_to_end_id": ln.end_to_end_id,
        "state": ln.state,
        "match_kind": ln.match_kind,
        "flag": ln.flag,
        "contribution": ln.contribution.public_id if ln.contribution_id else None,
        "collective": ln.collective.slug if ln.collective_id else None,
    }


@router.get("/hosts/{slug}/bank/statements", response={200: StatementPage, **ERRORS}, auth=token_auth)
def statements(request, slug: str, cursor: str | None = None, limit: int = 20):
    """The host's imported statements, newest first (host admins)."""
    host = _host(request, slug)
    rows, nxt = keyset_page(selectors.host_statements(host), cursor=cursor, limit=clamp_limit(limit), descending=True)
    return {"results": [_statement_out(st) for st in rows], "next": nxt}


class ImportOut(Schema):
    statements: list[str]
    new_statements: int
    new_lines: int
    known_lines: int
    matched: int


@router.post("/hosts/{slug}/bank/statements", response={201: ImportOut, **ERRORS}, auth=token_auth)
def upload(request, slug: str, file: File[UploadedFile]):
    """Import a CAMT.053 or CODA file (multipart field `file`). The same file twice stores nothing new."""
    host = _host(request, slug)
    if file.size > max_bytes():
        raise StatementFileError(
            _("This file is too large (at most %(mb)s MB).") % {"mb": max_bytes() // (1024 * 1024)},
            code="statement_too_large",
        )
    result = services.statement_import(host=host, data=file.read(), by=request.auth)
    return 201, {
        "statements": [st.public_id for st in result.statements],
        "new_statements": result.new_statements,
        "new_lines": len(result.new_lines),
        "known_lines": result.known_lines,
        "matched": result.matched,
    }


@router.get("/hosts/{slug}/bank/statements/{public_id}/lines", response={200: LinePage, **ERRORS}, auth=token_auth)
def statement_lines(request, slug: str, public_id: str, cursor: str | None = None, limit: int = 50):
    host = _host(request, slug)
    st = selectors.statement_by_public_id(host, public_id)
    if st is None:
        raise NotFound()
    rows, nxt = keyset_page(
        st.lines.select_related("statement", "contribution", "collective"), cursor=cursor, limit=clamp_limit(limit)
    )
    return {"results": [_line_out(ln) for ln in rows], "next": nxt}


@router.get("/hosts/{slug}/bank/lines", response={200: LinePage, **ERRORS}, auth=token_auth)
def lines(request, slug: str, state: str | None = None, cursor: str | None = None, limit: int = 50):
    """Every imported line of the host, newest first; `state=unmatched` for the queue."""
    host = _host(request, slug)
    if state is not None and state not in LineState.values:
        raise ValidationFailed(_("Unknown state."), code="invalid_state", field="state")
    rows, nxt = keyset_page(
        selectors.host_lines(host, state=state), cursor=cursor, limit=clamp_limit(limit), descending=True
    )
    return {"results": [_line_out(ln) for ln in rows], "next": nxt}


class AssignIn(Schema):
    action: Literal["added_funds", "contribution", "host", "leave", "undo"]
    collective: str = ""
    description: str = ""
    name: str = ""
    email: str = ""
    public: bool = False
    note: str = ""
    reason: str = ""


@router.post("/hosts/{slug}/bank/lines/{public_id}/assign", response={200: LineOut, **ERRORS}, auth=token_auth)
def assign(request, slug: str, public_id: str, payload: AssignIn):
    """Decide about an unmatched line: added funds or a named person's contribution for a collective, the host's
    own movement, leave it aside, or `undo` an earlier choice (reversing journal). Needs two-factor on."""
    host = _host(request, slug)
    line = selectors.line_by_public_id(host, public_id)
    if line is None:
        raise NotFound()
    by = request.auth
    if payload.action in ("added_funds", "contribution"):
        collective = selectors.host_active_collectives(host).filter(slug=payload.collective).first()
        if collective is None:
            raise ValidationFailed(
                _("Choose an active collective of this host."), code="invalid_collective", field="collective"
            )
        if payload.action == "added_funds":
            line = matching.line_assign_added_funds(
                line=line, collective=collective, by=by, description=payload.description
            )
        else:
            line = matching.line_assign_contribution(
                line=line, collective=collective, by=by, name=payload.name, email=payload.email, public=payload.public
            )
    elif payload.action == "host":
        line = matching.line_mark_host(line=line, by=by, note=payload.note)
    elif payload.action == "leave":
        line = matching.line_leave(line=line, by=by, note=payload.note)
    else:
        line = matching.line_undo(line=line, by=by, reason=payload.reason)
    return _line_out(selectors.line_by_public_id(host, line.public_id))


class ReconciliationOut(Schema):
    account: str
    iban: str
    date: dt.date | None
    reconciled: bool
    closing_balance: MoneyOut | None
    ledger_balance: MoneyOut | None
    difference: MoneyOut
    lines_not_in_ledger: MoneyOut
    ledger_not_on_statement: MoneyOut


@router.get("/hosts/{slug}/bank/reconciliation", response={200: list[ReconciliationOut], **ERRORS}, auth=token_auth)
def reconciliations(request, slug: str):
    host = _host(request, slug)
    out = []
    for account in selectors.host_bank_accounts(host):
        rec = reconciliation.account_reconciliation(account, detail_limit=0)
        m = lambda v: money_out(v, host.currency) if v is not None else None  # noqa: E731
        out.append(
            {
                "account": account.public_id,
                "iban": account.iban,
                "date": rec.date,
                "reconciled": rec.reconciled,
                "closing_balance": m(rec.closing_balance),
                "ledger_balance": m(rec.ledger_balance),
                "difference": m(rec.difference),
                "lines_not_in_ledger": m(rec.not_in_ledger_total),
                "ledger_not_on_statement": m(rec.in_flight_total),
            }
        )
    return out
