"""Reads shared by the expense pages, the API and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db.models import Count, Q, QuerySet, Sum

from opencity.expenses import permissions
from opencity.expenses.batch_fees import batch_fee_journal
from opencity.expenses.models import (
    BuiltinCategory,
    Expense,
    ExpenseCategory,
    ExpenseStatus,
    PayoutBatch,
    PayoutLine,
)
from opencity.ledger import services as ledger
from opencity.money import Money

PUBLIC_STATUSES = [s for s in ExpenseStatus.values if s != ExpenseStatus.DRAFT]


def category_label(host, code: str, _cache: dict | None = None) -> str:
    if code in BuiltinCategory.values:
        return str(BuiltinCategory(code).label)
    if _cache is not None:
        return _cache.get(code, code)
    cat = ExpenseCategory.objects.filter(host=host, code=code).first()
    return cat.name if cat else code


def host_categories(host):
    return ExpenseCategory.objects.filter(host=host).order_by("name")


def host_category_map(host) -> dict[str, str]:
    return dict(ExpenseCategory.objects.filter(host=host).values_list("code", "name"))


def public_expenses(collective) -> QuerySet[Expense]:
    """Every expense of the collective except drafts: the public record of what was spent and on what."""
    return (
        Expense.objects.filter(collective=collective, status__in=PUBLIC_STATUSES)
        .select_related("payee_person", "collective__host")
        .order_by("-created_at", "-pk")
    )


def my_expenses(user) -> QuerySet[Expense]:
    return Expense.objects.filter(submitted_by=user).select_related("collective").order_by("-created_at", "-pk")


def expense_by_public_id(collective, public_id: str) -> Expense | None:
    return (
        Expense.objects.select_related("collective__host__profile", "submitted_by", "payee_person", "payout_method")
        .filter(collective=collective, public_id=public_id)
        .first()
    )


def payee_public_name(expense: Expense) -> str:
    if expense.payee_person_id is not None:
        return expense.payee_person.public_name
    return expense.payee_name


def expense_public_data(expense: Expense, categories: dict | None = None) -> dict:
    """What anyone may see: never receipts, IBANs, addresses, private notes or private comments."""
    host = expense.collective.host
    return {
        "id": expense.public_id,
        "collective": expense.collective.slug,
        "type": expense.type,
        "title": expense.title,
        "category": expense.category,
        "category_label": category_label(host, expense.category, categories),
        "amount": {"value": expense.amount, "currency": expense.currency},
        "status": expense.status,
        "payee": payee_public_name(expense),
        "event": expense.event.title if expense.event_id else "",
        "event_id": expense.event.public_id if expense.event_id else "",
        "created_at": expense.created_at,
        "submitted_at": expense.submitted_at,
        "approved_at": expense.approved_at,
        "paid_on": expense.paid_on,
    }


def expense_private_data(expense: Expense) -> dict:
    """Extra fields for the people involved (submitter, collective and host admins)."""
    method = expense.payout_method
    return {
        "submitted_by": expense.submitted_by.display_name,
        "payout_method": (
            {"id": method.public_id, "iban": method.iban, "account_holder": method.account_holder, "bic": method.bic}
            if method
            else None
        ),
        "address": {
            "street": expense.address_street,
            "number": expense.address_number,
            "postcode": expense.address_postcode,
            "town": expense.address_town,
            "country": expense.address_country,
        },
        "invoice_number": expense.invoice_number,
        "supplier_vat": expense.supplier_vat,
        "note": expense.private_note,
        "items": [
            {
                "id": item.public_id,
                "description": item.description,
                "date": item.incurred_on,
                "amount": {"value": item.amount, "currency": expense.currency},
                "receipt": bool(item.receipt),
                "receipt_name": item.receipt_name,
            }
            for item in expense.items.all()
        ],
    }


def visible_comments(expense: Expense, user):
    qs = expense.comments.select_related("author")
    if not permissions.is_involved(user, expense):
        qs = qs.filter(private=False)
    return qs


def approvals_of_round(expense: Expense):
    return expense.approvals.filter(round=expense.submission_round).select_related("by")


# --- host dashboard -------------------------------------------------------------------------------------


def host_expenses(host) -> QuerySet[Expense]:
    return Expense.objects.filter(collective__host=host).select_related("collective", "payout_method", "submitted_by")


def host_queues(host) -> dict[str, list[Expense]]:
    qs = host_expenses(host).order_by("created_at", "pk")
    in_batch = set(
        PayoutLine.objects.filter(batch__host=host, status=PayoutLine.Status.OPEN).values_list("expense_id", flat=True)
    )
    queues: dict[str, list[Expense]] = {"pending": [], "approved": [], "scheduled": [], "error": [], "on_hold": []}
    for e in qs.filter(
        status__in=[
            ExpenseStatus.PENDING,
            ExpenseStatus.APPROVED,
            ExpenseStatus.SCHEDULED,
            ExpenseStatus.ERROR,
            ExpenseStatus.ON_HOLD,
            ExpenseStatus.INCOMPLETE,
        ]
    ):
        e.in_batch = e.pk in in_batch
        key = "on_hold" if e.status in (ExpenseStatus.ON_HOLD, ExpenseStatus.INCOMPLETE) else e.status
        queues[key].append(e)
    return queues


def host_totals_per_collective(host) -> list[dict]:
    rows = (
        host_expenses(host)
        .values("collective_id", "collective__name", "collective__slug")
        .annotate(
            pending=Sum("amount", filter=Q(status=ExpenseStatus.PENDING), default=0),
            approved=Sum("amount", filter=Q(status=ExpenseStatus.APPROVED), default=0),
            scheduled=Sum("amount", filter=Q(status=ExpenseStatus.SCHEDULED), default=0),
            paid=Sum("amount", filter=Q(status=ExpenseStatus.PAID), default=0),
            count=Count("pk"),
        )
        .order_by("collective__name")
    )
    from opencity.ledger.models import Account, AccountKind

    balances = dict(
        Account.objects.filter(host=host, kind=AccountKind.COLLECTIVE_FUNDS).values_list(
            "collective_id", "credits_posted"
        )
    )
    debits = dict(
        Account.objects.filter(host=host, kind=AccountKind.COLLECTIVE_FUNDS).values_list(
            "collective_id", "debits_posted"
        )
    )
    out = []
    for row in rows:
        cid = row["collective_id"]
        row["balance"] = balances.get(cid, 0) - debits.get(cid, 0)
        out.append(row)
    return out


def host_batches(host) -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.filter(host=host).select_related("created_by")


def batch_lines(batch: PayoutBatch):
    return batch.lines.select_related("expense__collective", "expense__payout_method").order_by("pk")


def batch_bank_fee(batch: PayoutBatch) -> dict | None:
    """The bank fee recorded for a payout file: {"total", "shares": [(collective name, amount)]}, or None."""
    journal = batch_fee_journal(batch)
    if journal is None:
        return None
    transfers = journal.transfers.select_related("debit_account__collective").order_by("pk")
    shares = [(t.debit_account.collective.name, t.amount) for t in transfers]
    return {"total": sum(a for _n, a in shares), "shares": shares}


CSV_HEADER = [
    "expense",
    "collective",
    "title",
    "type",
    "category",
    "status",
    "amount",
    "currency",
    "payee",
    "iban",
    "invoice_number",
    "supplier_vat",
    "submitted_at",
    "approved_at",
    "paid_on",
    "event",
]


def host_expenses_csv(host, *, start: dt.date, end: dt.date) -> str:
    """The accountant's export: every non-draft expense submitted (or paid) in [start, end]."""
    categories = host_category_map(host)
    qs = (
        host_expenses(host)
        .exclude(status=ExpenseStatus.DRAFT)
        .filter(Q(created_at__date__gte=start, created_at__date__lte=end) | Q(paid_on__gte=start, paid_on__lte=end))
        .select_related("payee_person")
        .order_by("created_at", "pk")
    )
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    for e in qs:
        amount = str(Money(e.amount, e.currency).as_decimal())
        writer.writerow(
            [
                e.public_id,
                e.collective.slug,
                _csv_safe(e.title),
                e.type,
                _csv_safe(category_label(host, e.category, categories)),
                e.status,
                amount,
                e.currency,
                _csv_safe(payee_public_name(e)),
                e.payout_method.iban if e.payout_method else "",
                _csv_safe(e.invoice_number),
                _csv_safe(e.supplier_vat),
                e.submitted_at.date().isoformat() if e.submitted_at else "",
                e.approved_at.date().isoformat() if e.approved_at else "",
                e.paid_on.isoformat() if e.paid_on else "",
                _csv_safe(e.event.title if e.event_id else ""),
            ]
        )
    return buf.getvalue()


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in user text."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def funds_balance(collective) -> int:
    return ledger.funds_account(collective).balance


def expenses_of_batches(batch_public_ids) -> dict[str, str]:
    """{expense public id: payout file public id} for the given payout files (to group a file's fee)."""
    rows = PayoutLine.objects.filter(batch__public_id__in=list(batch_public_ids)).values_list(
        "expense__public_id", "batch__public_id"
    )
    return dict(rows)


def expense_submitted_with(user, idempotency_key: str) -> Expense | None:
    """The expense this user already created with this form token (a form sent twice shows the first)."""
    key = (idempotency_key or "").strip()[:64]
    if not key or not (user and user.is_authenticated):
        return None
    return Expense.objects.filter(submitted_by=user, idempotency_key=key).select_related("collective").first()
