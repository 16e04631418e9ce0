"""Expenses in the API: the public list, submitting with receipts (multipart), the expense and its actions.

The same permission rules as the pages (opencity.expenses.permissions); refusals are 4xx JSON.
"""

from __future__ import annotations

import datetime as dt
import json

from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from opencity.api.auth import optional_auth, token_auth
from opencity.api.pagination import clamp_limit, keyset_page
from opencity.api.schemas import ErrorOut, MoneyOut
from opencity.core.errors import NotFound, ValidationFailed
from opencity.expenses import approvals, payouts, permissions, selectors, services
from opencity.expenses.models import Expense, ExpenseStatus, PayoutMethod
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors

router = Router(tags=["expenses"])
MSG = services.API_ITEM_MESSAGES

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


class ExpenseOut(Schema):
    id: str
    collective: str
    type: str
    title: str
    category: str
    category_label: str
    amount: MoneyOut
    status: str
    payee: str
    event: str = Field(description="the event's title, or empty")
    event_id: str = Field(description="the event's public id (evt_…), or empty")
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    paid_on: dt.date | None


class ExpensePage(Schema):
    results: list[ExpenseOut]
    next: str | None


class CommentOut(Schema):
    id: str
    author: str
    body: str
    private: bool
    created_at: dt.datetime


class ExpenseDetailOut(ExpenseOut):
    comments: list[CommentOut]
    private: dict | None = Field(None, description="Receipts list, bank details, address, note: involved people only.")


class ListQuery(Schema):
    cursor: str | None = None
    limit: int | None = None
    status: str = ""


class ExpenseCreateIn(Schema):
    type: str = Field(description="reimbursement or invoice")
    title: str
    category: str = "other"
    event: str = Field("", description="public id (evt_…) of one of the collective's events, or empty")
    items: str = Field(
        description='JSON list: [{"description": "...", "date": "2026-05-01", "amount": 1250}]; amount in minor '
        "units. The n-th file in `receipts` is the receipt of the n-th item."
    )
    payee_type: str = "self"
    payee_name: str = ""
    payout_method: str = Field("", description="Id of a saved payout method, instead of iban/account_holder.")
    iban: str = ""
    account_holder: str = ""
    bic: str = ""
    street: str = ""
    number: str = ""
    postcode: str = ""
    town: str = ""
    country: str = ""
    invoice_number: str = ""
    supplier_vat: str = ""
    note: str = ""
    draft: bool = False


class NoteIn(Schema):
    note: str = Field("", max_length=5000)


class PayIn(Schema):
    paid_on: dt.date | None = None
    bank_fee: int = Field(0, ge=0, description="Minor units, charged to the collective as its own transfer.")


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=5000)
    private: bool = True


def _collective(request, slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise NotFound()
    return collective


def _expense(request, public_id: str) -> Expense:
    expense = (
        Expense.objects.select_related("collective__host", "submitted_by", "payee_person", "payout_method")
        .filter(public_id=public_id)
        .first()
    )
    if expense is None or not hosting_permissions.can_view_collective(request.user, expense.collective):
        raise NotFound()
    if expense.status == ExpenseStatus.DRAFT and not permissions.is_involved(request.user, expense):
        raise NotFound()
    return expense


def _detail(request, expense: Expense) -> dict:
    expense.refresh_from_db()
    data = selectors.expense_public_data(expense)
    data["comments"] = [
        {
            "id": c.public_id,
            "author": c.author.display_name if c.author else "",
            "body": c.body,
            "private": c.private,
            "created_at": c.created_at,
        }
        for c in selectors.visible_comments(expense, request.user)
    ]
    data["private"] = (
        selectors.expense_private_data(expense) if permissions.is_involved(request.user, expense) else None
    )
    return data


@router.get("/collectives/{slug}/expenses", response={200: ExpensePage, **ERRORS}, auth=optional_auth)
def list_expenses(request, slug: str, q: Query[ListQuery]):
    """Every non-draft expense of the collective: public fields only."""
    collective = _collective(request, slug)
    qs = selectors.public_expenses(collective)
    if q.status:
        qs = qs.filter(status=q.status)
    rows, nxt = keyset_page(qs, cursor=q.cursor, limit=clamp_limit(q.limit), key="id", descending=True)
    categories = selectors.host_category_map(collective.host)
    return {"results": [selectors.expense_public_data(e, categories) for e in rows], "next": nxt}


def _parse_items(raw: str, files: list) -> list[services.ItemInput]:
    try:
        data = json.loads(raw or "[]")
        if not isinstance(data, list):
            raise ValueError
    except ValueError:
        raise ValidationFailed(MSG["invalid_items"], code="invalid_items", field="items") from None
    out = []
    for i, row in enumerate(data):
        if not isinstance(row, dict):
            raise ValidationFailed(MSG["invalid_items"], code="invalid_items", field=f"items.{i}")
        try:
            date = dt.date.fromisoformat(str(row.get("date", "")))
        except ValueError:
            raise ValidationFailed(MSG["invalid_date"], code="invalid_date", field=f"items.{i}.date") from None
        amount = row.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValidationFailed(MSG["invalid_amount"], code="invalid_amount", field=f"items.{i}.amount")
        out.append(
            services.ItemInput(
                description=str(row.get("description", "")),
                incurred_on=date,
                amount=amount,
                receipt=files[i] if i < len(files) else None,
            )
        )
    return out


@router.post("/collectives/{slug}/expenses", response={201: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def create_expense(request, slug: str, payload: Form[ExpenseCreateIn], receipts: File[list[UploadedFile]] = None):
    """Submit an expense (multipart/form-data with the receipt files).

    Send an `Idempotency-Key` header to make retries safe: the same key returns the first expense.
    """
    collective = _collective(request, slug)
    method = None
    if payload.payout_method:
        person = getattr(request.user, "person", None)
        method = PayoutMethod.objects.filter(public_id=payload.payout_method, person=person).first()
        if method is None:
            raise ValidationFailed(MSG["invalid_payout_method"], code="invalid_payout_method", field="payout_method")
    expense = services.expense_create(
        collective=collective,
        by=request.user,
        type=payload.type,
        title=payload.title,
        category=payload.category,
        items=_parse_items(payload.items, list(receipts or [])),
        payee=services.PayeeInput(
            type=payload.payee_type,
            name=payload.payee_name,
            iban=payload.iban,
            account_holder=payload.account_holder,
            bic=payload.bic,
            payout_method=method,
            address={
                "street": payload.street,
                "number": payload.number,
                "postcode": payload.postcode,
                "town": payload.town,
                "country": payload.country,
            },
        ),
        event_ref=payload.event,
        note=payload.note,
        invoice_number=payload.invoice_number,
        supplier_vat=payload.supplier_vat,
        draft=payload.draft,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return 201, _detail(request, expense)


@router.get("/expenses/{public_id}", response={200: ExpenseDetailOut, **ERRORS}, auth=optional_auth)
def get_expense(request, public_id: str):
    return _detail(request, _expense(request, public_id))


def _action(request, public_id: str, fn):
    expense = _expense(request, public_id)
    fn(expense)
    return _detail(request, expense)


@router.post("/expenses/{public_id}/submit", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def submit_expense(request, public_id: str):
    return _action(request, public_id, lambda e: services.expense_submit(expense=e, by=request.user))


@router.post("/expenses/{public_id}/approve", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def approve_expense(request, public_id: str, payload: NoteIn = None):
    note = payload.note if payload else ""
    return _action(request, public_id, lambda e: approvals.expense_approve(expense=e, by=request.user, note=note))


@router.post("/expenses/{public_id}/reject", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def reject_expense(request, public_id: str, payload: NoteIn = None):
    note = payload.note if payload else ""
    return _action(request, public_id, lambda e: approvals.expense_reject(expense=e, by=request.user, note=note))


@router.post("/expenses/{public_id}/hold", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def hold_expense(request, public_id: str, payload: NoteIn = None):
    note = payload.note if payload else ""
    return _action(request, public_id, lambda e: approvals.expense_hold(expense=e, by=request.user, note=note))


@router.post("/expenses/{public_id}/release", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def release_expense(request, public_id: str, payload: NoteIn = None):
    note = payload.note if payload else ""
    return _action(request, public_id, lambda e: approvals.expense_release(expense=e, by=request.user, note=note))


@router.post("/expenses/{public_id}/incomplete", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def incomplete_expense(request, public_id: str, payload: NoteIn):
    return _action(
        request,
        public_id,
        lambda e: approvals.expense_mark_incomplete(expense=e, by=request.user, note=payload.note),
    )


@router.post("/expenses/{public_id}/pay", response={200: ExpenseDetailOut, **ERRORS}, auth=token_auth)
def pay_expense(request, public_id: str, payload: PayIn = None):
    """Mark as paid (host admins with two-factor authentication only)."""
    payload = payload or PayIn()
    return _action(
        request,
        public_id,
        lambda e: payouts.expense_mark_paid(
            expense=e, by=request.user, paid_on=payload.paid_on, bank_fee=payload.bank_fee
        ),
    )


@router.post("/expenses/{public_id}/comment", response={201: CommentOut, **ERRORS}, auth=token_auth)
def comment_expense(request, public_id: str, payload: CommentIn):
    expense = _expense(request, public_id)
    c = services.expense_comment(expense=expense, by=request.user, body=payload.body, private=payload.private)
    return 201, {
        "id": c.public_id,
        "author": request.user.display_name,
        "body": c.body,
        "private": c.private,
        "created_at": c.created_at,
    }
