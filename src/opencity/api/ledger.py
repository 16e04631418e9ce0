"""Money in the open: a collective's transactions; host admins record and reverse added funds; gifts."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from opencity.api.auth import optional_auth, token_auth
from opencity.api.pagination import clamp_limit
from opencity.api.schemas import ErrorOut, MoneyOut
from opencity.core.errors import NotFound
from opencity.hosting import permissions
from opencity.hosting import selectors as hosting_selectors
from opencity.ledger import services
from opencity.ledger.models import Journal, TransferKind
from opencity.transparency import statements
from opencity.transparency.selectors import funds_account_or_none

router = Router(tags=["money"])


class TransactionOut(Schema):
    date: dt.date
    journal: str
    kind: str
    counterparty: str
    description: str
    amount: MoneyOut = Field(description="Signed from the collective's point of view: + in, − out.")
    is_fee: bool


class TransactionPage(Schema):
    results: list[TransactionOut]
    next: str | None


class TransactionFilters(Schema):
    kind: str = ""
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    cursor: str | None = None
    limit: int | None = None


class JournalOut(Schema):
    journal: str
    kind: str
    date: dt.date
    amount: MoneyOut


class AddedFundsIn(Schema):
    collective: str = Field(description="Slug of the collective that receives the money.")
    amount: int = Field(gt=0, description="Minor units.")
    source: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=300)
    date: dt.date | None = None
    charge_host_fee: bool = True
    idempotency_key: str | None = Field(None, max_length=100)


class ReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class GiftIn(Schema):
    to: str = Field(description="Slug of the receiving collective (same host).")
    amount: int = Field(gt=0, description="Minor units.")
    description: str = Field(min_length=1, max_length=300)
    idempotency_key: str | None = Field(None, max_length=100)


def _collective(request, slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise NotFound()
    return collective


def _journal_out(journal: Journal) -> dict:
    first = journal.transfers.order_by("pk").first()
    return {
        "journal": journal.public_id,
        "kind": journal.kind,
        "date": journal.effective_date,
        "amount": {"value": first.amount if first else 0, "currency": journal.host.currency},
    }


@router.get(
    "/collectives/{slug}/transactions",
    response={200: TransactionPage, 404: ErrorOut},
    auth=optional_auth,
    summary="A collective's transactions, newest first (fees right after their payment)",
)
def collective_transactions(request, slug: str, filters: Query[TransactionFilters]):
    """Every transfer touching the collective's funds; the values are signed, so they add up to the balance."""
    collective = _collective(request, slug)
    funds = funds_account_or_none(collective)
    funds_id = funds.pk if funds else 0
    rows, nxt = statements.statement_page(
        funds,
        filters={
            "kind": filters.kind if filters.kind in TransferKind.values else "",
            "date_from": filters.date_from,
            "date_to": filters.date_to,
        },
        cursor=filters.cursor,
        limit=clamp_limit(filters.limit, default=50),
    )
    return {"results": [statements.row_json(statements.statement_row(t, funds_id)) for t in rows], "next": nxt}


@router.post(
    "/hosts/{slug}/added-funds",
    response={201: JournalOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=token_auth,
    summary="Record money received outside the platform for a collective (host admins)",
)
def added_funds_create(request, slug: str, payload: AddedFundsIn):
    host = hosting_selectors.host_by_slug(slug)
    collective = hosting_selectors.collective_by_slug(payload.collective)
    if host is None or collective is None or collective.host_id != host.pk:
        raise NotFound()
    journal = services.added_funds_record(
        collective=collective,
        amount=payload.amount,
        source=payload.source,
        description=payload.description,
        date=payload.date,
        charge_host_fee=payload.charge_host_fee,
        by=request.user,
        idempotency_key=f"api:{request.user.pk}:{payload.idempotency_key}" if payload.idempotency_key else None,
    )
    return 201, _journal_out(journal)


@router.post(
    "/added-funds/{journal_id}/reverse",
    response={201: JournalOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=token_auth,
    summary="Reverse an added-funds entry with a reason (host admins)",
)
def added_funds_reverse(request, journal_id: str, payload: ReverseIn):
    journal = Journal.objects.select_related("host").filter(public_id=journal_id).first()
    if journal is None or not permissions.is_host_admin(request.user, journal.host):
        raise NotFound()
    return 201, _journal_out(services.added_funds_reverse(journal=journal, reason=payload.reason, by=request.user))


@router.post(
    "/collectives/{slug}/gifts",
    response={201: JournalOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=token_auth,
    summary="Give money to another collective of the same host (admins of the giving collective)",
)
def collective_gift(request, slug: str, payload: GiftIn):
    giver = _collective(request, slug)
    receiver = _collective(request, payload.to)
    journal = services.collective_transfer(
        from_collective=giver,
        to_collective=receiver,
        amount=payload.amount,
        description=payload.description,
        by=request.user,
        idempotency_key=f"api:{request.user.pk}:{payload.idempotency_key}" if payload.idempotency_key else None,
    )
    return 201, _journal_out(journal)
