"""What an expense submission is made of, and the rules it must follow (shared by the pages and the API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from opencity.core.errors import ValidationFailed
from opencity.expenses.models import (
    BuiltinCategory,
    ExpenseCategory,
    ExpenseItem,
    ExpenseType,
    PayeeType,
    PayoutMethod,
)
from opencity.expenses.receipts import check_receipt
from opencity.money import MAX_AMOUNT_MINOR

MAX_ITEMS = 50
MAX_NOTE = 5000


@dataclass
class ItemInput:
    description: str
    incurred_on: dt.date | None
    amount: int
    receipt: object | None = None  # an UploadedFile
    keep_receipt_of: str = ""  # public id of an existing item of the same expense whose receipt stays


@dataclass
class PayeeInput:
    type: str = PayeeType.SELF
    name: str = ""  # the organisation's name (payee type "organisation")
    iban: str = ""
    account_holder: str = ""
    bic: str = ""
    payout_method: PayoutMethod | None = None  # reuse a saved one instead of iban/holder
    address: dict = field(default_factory=dict)  # street, number, postcode, town, country


# Refusals of the API's item list (multipart field `items`, JSON), translated like every other message.
API_ITEM_MESSAGES = {
    "invalid_items": _("items: a JSON list of objects is expected."),
    "invalid_date": _("items: dates look like 2026-05-01."),
    "invalid_amount": _("items: amounts are whole numbers of cents (minor units)."),
    "invalid_payout_method": _("Unknown payout method."),
}


# --- validation ----------------------------------------------------------------------------------


def clean_iban(value: str, *, field_name: str = "iban") -> tuple[str, str]:
    """(compact IBAN, BIC or "") for a valid IBAN, checked with its national BBAN rules."""
    try:
        iban = IBAN((value or "").strip(), validate_bban=True)
    except SchwiftyException:
        raise ValidationFailed(
            _("This IBAN is not valid: please check it (the check digits do not match)."),
            code="invalid_iban",
            field=field_name,
        ) from None
    bic = ""
    try:
        bic = str(iban.bic.compact) if iban.bic else ""
    except Exception:  # noqa: BLE001 - no bank registry entry: the BIC is optional for SEPA
        bic = ""
    return iban.compact, bic


def clean_bic(value: str, *, field_name: str = "bic") -> str:
    """A BIC (8 or 11 characters, known country) in compact form, or "" when none was given."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(BIC(value).compact)
    except SchwiftyException:
        raise ValidationFailed(
            _("This BIC is not valid: it has 8 or 11 letters and digits, e.g. GEBABEBB."),
            code="invalid_bic",
            field=field_name,
        ) from None


def category_choices(host) -> list[tuple[str, str]]:
    extra = [(c.code, c.name) for c in ExpenseCategory.objects.filter(host=host)]
    return list(BuiltinCategory.choices) + extra


def check_items(items: list[ItemInput], *, expense_type: str, existing: dict[str, ExpenseItem]) -> None:
    if not items:
        raise ValidationFailed(_("Add at least one item."), code="no_items", field="items")
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(
            _("An expense has at most %(max)s items; split it in two.") % {"max": MAX_ITEMS},
            code="too_many_items",
            field="items",
        )
    today = timezone.localdate()
    total = 0
    has_file = False
    for i, item in enumerate(items):
        prefix = f"items.{i}"
        if not (item.description or "").strip():
            raise ValidationFailed(_("Each item needs a description."), code="required", field=f"{prefix}.description")
        if item.incurred_on is None:
            raise ValidationFailed(_("Each item needs a date."), code="required", field=f"{prefix}.date")
        if item.incurred_on > today:
            raise ValidationFailed(
                _("An item cannot be dated in the future."), code="date_in_future", field=f"{prefix}.date"
            )
        if isinstance(item.amount, bool) or not isinstance(item.amount, int) or item.amount <= 0:
            raise ValidationFailed(
                _("Each amount must be more than zero."), code="amount_not_positive", field=f"{prefix}.amount"
            )
        if item.amount > MAX_AMOUNT_MINOR:
            raise ValidationFailed(_("This amount is too large."), code="amount_too_large", field=f"{prefix}.amount")
        total += item.amount
        if item.receipt is not None:
            check_receipt(item.receipt, field=f"{prefix}.receipt")
            has_file = True
        elif item.keep_receipt_of and existing.get(item.keep_receipt_of) and existing[item.keep_receipt_of].receipt:
            has_file = True
        elif expense_type == ExpenseType.REIMBURSEMENT:
            raise ValidationFailed(
                _("Each item of a reimbursement needs its receipt."), code="receipt_required", field=f"{prefix}.receipt"
            )
    if expense_type == ExpenseType.INVOICE and not has_file:
        raise ValidationFailed(_("Attach the invoice."), code="invoice_required", field="items.0.receipt")
    if total > MAX_AMOUNT_MINOR:
        raise ValidationFailed(_("This amount is too large."), code="amount_too_large", field="items")


def check_fields(*, collective, type: str, title: str, category: str, payee: PayeeInput, note: str = "") -> None:
    if type not in ExpenseType.values:
        raise ValidationFailed(_("Choose the type of expense."), code="invalid_type", field="type")
    if not (title or "").strip():
        raise ValidationFailed(_("Give the expense a title."), code="required", field="title")
    if category not in dict(category_choices(collective.host)):
        raise ValidationFailed(_("Choose a category from the list."), code="invalid_category", field="category")
    if payee.type not in PayeeType.values:
        raise ValidationFailed(_("Choose who is paid."), code="invalid_payee", field="payee_type")
    if payee.type == PayeeType.ORGANISATION and not payee.name.strip():
        raise ValidationFailed(_("Give the organisation's name."), code="required", field="payee_name")
    if len(note or "") > MAX_NOTE:
        raise ValidationFailed(_("This note is too long."), code="too_long", field="note")
    if payee.payout_method is None:
        clean_bic(payee.bic)
    country = (payee.address.get("country") or "").strip()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationFailed(_("Use a two-letter country code, e.g. BE."), code="invalid_country", field="country")
