"""Writes for expenses: submit, edit, comments, categories. Approving, rejecting, holding: approvals.py;
payouts: payouts.py; receipt uploads: receipts.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.community.services import person_find_or_create
from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.expenses import notifications, permissions
from opencity.expenses.inputs import (  # noqa: F401 - re-exported: callers build inputs from here
    API_ITEM_MESSAGES,
    ItemInput,
    PayeeInput,
    category_choices,
    check_fields,
    check_items,
    clean_bic,
    clean_iban,
)
from opencity.expenses.models import (
    BuiltinCategory,
    Expense,
    ExpenseCategory,
    ExpenseComment,
    ExpenseEvent,
    ExpenseItem,
    ExpenseStatus,
    PayeeType,
    PayoutMethod,
)
from opencity.expenses.receipts import check_receipt, receipt_download_name


def _payout_method(*, person, payee: PayeeInput) -> PayoutMethod:
    if payee.payout_method is not None:
        if payee.payout_method.person_id != person.pk:
            raise PermissionDenied(code="forbidden")
        return payee.payout_method
    iban, bic = clean_iban(payee.iban)
    holder = (payee.account_holder or "").strip()
    if not holder:
        raise ValidationFailed(_("Give the account holder's name."), code="required", field="account_holder")
    method, _created = PayoutMethod.objects.get_or_create(
        person=person, iban=iban, account_holder=holder[:70], defaults={"bic": clean_bic(payee.bic) or bic}
    )
    return method


def record_transition(expense: Expense, *, action: str, to: str, by, note: str = "", notify: bool = True) -> None:
    ExpenseEvent.objects.create(
        expense=expense, action=action, from_status=expense.status, to_status=to, by=by, note=note
    )
    expense.status = to
    expense.updated_at = timezone.now()
    if notify:
        notifications.notify_on_commit(expense=expense, action=action, by=by, note=note)


def record_event(expense: Expense, *, action: str, by, note: str = "") -> None:
    """Something happened that leaves the status as it is (an edit, one approval of two)."""
    ExpenseEvent.objects.create(
        expense=expense, action=action, from_status=expense.status, to_status=expense.status, by=by, note=note
    )


def lock_expense(expense: Expense) -> Expense:
    return Expense.objects.select_for_update(of=("self",)).select_related("collective__host").get(pk=expense.pk)


def _save_items(expense: Expense, items: list[ItemInput], existing: dict[str, ExpenseItem]) -> None:
    kept: set[int] = set()
    for pos, item in enumerate(items):
        row = ExpenseItem(
            expense=expense,
            position=pos,
            description=item.description.strip()[:200],
            incurred_on=item.incurred_on,
            amount=item.amount,
        )
        if item.receipt is not None:
            mime, ext = check_receipt(item.receipt)
            row.receipt_name = receipt_download_name(getattr(item.receipt, "name", ""), mime)
            row.receipt_content_type = mime
            row.receipt_size = item.receipt.size
            row.receipt.save(f"receipt{ext}", item.receipt, save=False)
        elif item.upload is not None:
            upload = item.upload
            row.receipt = upload.file.name
            row.receipt_name, row.receipt_content_type, row.receipt_size = upload.name, upload.content_type, upload.size
            upload.delete()  # the file now belongs to the item
        elif item.keep_receipt_of and item.keep_receipt_of in existing:
            old = existing[item.keep_receipt_of]
            row.receipt = old.receipt.name
            row.receipt_name, row.receipt_content_type = old.receipt_name, old.receipt_content_type
            row.receipt_size = old.receipt_size
            kept.add(old.pk)
        row.save()
    for old in existing.values():
        if old.receipt and old.pk not in kept:
            # A replaced receipt is removed from storage once the edit is committed.
            transaction.on_commit(lambda n=old.receipt.name, s=old.receipt.storage: s.delete(n))
        old.delete()


def _event(collective, ref: str):
    """The collective's event this spending was for, by public id ("" for none)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    event = collective.events.filter(public_id=ref).first()
    if event is None:
        raise ValidationFailed(_("This event does not belong to the collective."), code="unknown_event", field="event")
    return event


def _apply(expense: Expense, *, by, title, category, event_ref, items, payee, note, invoice_number, supplier_vat):
    person = person_find_or_create(email=by.email, name=by.name, user=by)
    method = _payout_method(person=person, payee=payee)
    expense.title = title.strip()[:200]
    expense.category = category
    expense.event = _event(expense.collective, event_ref)
    expense.payee_type = payee.type
    expense.payee_person = person if payee.type == PayeeType.SELF else None
    expense.payee_name = (person.public_name if payee.type == PayeeType.SELF else payee.name.strip())[:200]
    expense.payout_method = method
    addr = {k: (v or "").strip() for k, v in payee.address.items()}
    expense.address_street = addr.get("street", "")[:70]
    expense.address_number = addr.get("number", "")[:16]
    expense.address_postcode = addr.get("postcode", "")[:16]
    expense.address_town = addr.get("town", "")[:35]
    expense.address_country = addr.get("country", "").upper()[:2]
    expense.invoice_number = (invoice_number or "").strip()[:60]
    expense.supplier_vat = (supplier_vat or "").strip()[:30]
    expense.private_note = (note or "").strip()
    expense.amount = sum(i.amount for i in items)
    expense.currency = expense.collective.currency


def expense_create(
    *,
    collective,
    by,
    type: str,
    title: str,
    category: str,
    items: list[ItemInput],
    payee: PayeeInput,
    event_ref: str = "",
    note: str = "",
    invoice_number: str = "",
    supplier_vat: str = "",
    draft: bool = False,
    idempotency_key: str = "",
) -> Expense:
    """A person asks the collective for money. Validates everything first: on any error nothing is saved.

    With an `idempotency_key` (the form's token, the API's Idempotency-Key header) a repeated submission
    returns the first expense instead of creating a second one.
    """
    if not permissions.can_submit(by, collective):
        raise PermissionDenied()
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        existing = Expense.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    check_fields(collective=collective, type=type, title=title, category=category, payee=payee, note=note)
    check_items(items, expense_type=type, existing={})
    try:
        with transaction.atomic():
            return _create(
                collective=collective,
                by=by,
                type=type,
                title=title,
                category=category,
                items=items,
                payee=payee,
                event_ref=event_ref,
                note=note,
                invoice_number=invoice_number,
                supplier_vat=supplier_vat,
                draft=draft,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        existing = (
            Expense.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing


def _create(
    *,
    collective,
    by,
    type,
    title,
    category,
    items,
    payee,
    event_ref,
    note,
    invoice_number,
    supplier_vat,
    draft,
    idempotency_key,
) -> Expense:
    expense = Expense(
        collective=collective, type=type, submitted_by=by, status=ExpenseStatus.DRAFT, idempotency_key=idempotency_key
    )
    _apply(
        expense,
        by=by,
        title=title,
        category=category,
        event_ref=event_ref,
        items=items,
        payee=payee,
        note=note,
        invoice_number=invoice_number,
        supplier_vat=supplier_vat,
    )
    expense.save()
    _save_items(expense, items, {})
    ExpenseEvent.objects.create(
        expense=expense, action="opencity.expense.created", from_status="", to_status=ExpenseStatus.DRAFT, by=by
    )
    if not draft:
        _submit(expense, by=by)
        expense.save()
    return expense


def expense_update(
    *,
    expense: Expense,
    by,
    title: str,
    category: str,
    items: list[ItemInput],
    payee: PayeeInput,
    event_ref: str = "",
    note: str = "",
    invoice_number: str = "",
    supplier_vat: str = "",
    submit: bool = True,
) -> Expense:
    """The submitter edits a draft, pending or incomplete expense; editing starts a new approval round."""
    with transaction.atomic():
        expense = lock_expense(expense)
        if not permissions.can_edit(by, expense):
            if permissions.is_submitter(by, expense):
                raise Conflict(_("This expense can no longer be edited."), code="wrong_status")
            raise PermissionDenied()
        check_fields(
            collective=expense.collective, type=expense.type, title=title, category=category, payee=payee, note=note
        )
        existing = {i.public_id: i for i in expense.items.all()}
        check_items(items, expense_type=expense.type, existing=existing)
        before = _what_is_approved(expense)
        _apply(
            expense,
            by=by,
            title=title,
            category=category,
            event_ref=event_ref,
            items=items,
            payee=payee,
            note=note,
            invoice_number=invoice_number,
            supplier_vat=supplier_vat,
        )
        expense.save()
        _save_items(expense, items, existing)
        record_event(expense, action="opencity.expense.edited", by=by)
        if _what_is_approved(expense) != before:
            # Approvals were given to what they saw: any change to amount, items, payee or payout method (a
            # saved draft too) starts a new round, so the approvals of the old one no longer count.
            expense.submission_round += 1
        if submit and expense.status in {ExpenseStatus.DRAFT, ExpenseStatus.INCOMPLETE, ExpenseStatus.PENDING}:
            _submit(expense, by=by)
        expense.save()
    return expense


def _what_is_approved(expense: Expense) -> tuple:
    """What an approval vouches for: amount, items (with their receipts), payee and payout method."""
    items = tuple(
        (i.description, i.incurred_on, i.amount, i.receipt.name or "")
        for i in ExpenseItem.objects.filter(expense=expense).order_by("position", "pk")
    )
    payee = (
        expense.payee_type,
        expense.payee_person_id,
        expense.payee_name,
        expense.address_street,
        expense.address_number,
        expense.address_postcode,
        expense.address_town,
        expense.address_country,
    )
    return (expense.amount, expense.currency, items, payee, expense.payout_method_id)


def _submit(expense: Expense, *, by) -> None:
    expense.submission_round += 1
    expense.submitted_at = timezone.now()
    action = "opencity.expense.resubmitted" if expense.status != ExpenseStatus.DRAFT else "opencity.expense.submitted"
    record_transition(expense, action=action, to=ExpenseStatus.PENDING, by=by)


def expense_submit(*, expense: Expense, by) -> Expense:
    """A draft (or an incomplete expense, unchanged) goes to the admins for approval."""
    with transaction.atomic():
        expense = lock_expense(expense)
        if not permissions.can_submit_draft(by, expense):
            if permissions.is_submitter(by, expense):
                raise Conflict(_("This expense is already submitted."), code="wrong_status")
            raise PermissionDenied()
        _submit(expense, by=by)
        expense.save()
    return expense


def expense_comment(*, expense: Expense, by, body: str, private: bool = True) -> ExpenseComment:
    if not permissions.can_comment(by, expense):
        raise PermissionDenied()
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a comment first."), code="required", field="body")
    if len(body) > 5000:
        raise ValidationFailed(_("This comment is too long."), code="too_long", field="body")
    with transaction.atomic():
        comment = ExpenseComment.objects.create(expense=expense, author=by, body=body, private=private)
        notifications.notify_on_commit(expense=expense, action="opencity.expense.commented", by=by, note=body)
    return comment


def expense_category_create(*, host, by, code: str, name: str) -> ExpenseCategory:
    from django.utils.text import slugify

    if not permissions.can_manage_payouts(by, host):
        raise PermissionDenied()
    code = slugify(code or name)[:40]
    if not code or not name.strip():
        raise ValidationFailed(_("Give the category a name."), code="required", field="name")
    if code in BuiltinCategory.values:
        raise ValidationFailed(_("This category already exists."), code="duplicate", field="name")
    category, _created = ExpenseCategory.objects.get_or_create(host=host, code=code, defaults={"name": name.strip()})
    return category
