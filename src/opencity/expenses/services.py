"""Writes for expenses: submit, edit, the approval workflow and comments. Payouts are in payouts.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.community.services import person_find_or_create
from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.expenses import notifications, payout_files, permissions
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
    ExpenseApproval,
    ExpenseCategory,
    ExpenseComment,
    ExpenseEvent,
    ExpenseItem,
    ExpenseStatus,
    PayeeType,
    PayoutLine,
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


def lock_expense(expense: Expense) -> Expense:
    return Expense.objects.select_for_update().select_related("collective__host").get(pk=expense.pk)


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


def _apply(expense: Expense, *, by, title, category, event_ref, items, payee, note, invoice_number, supplier_vat):
    person = person_find_or_create(email=by.email, name=by.name, user=by)
    method = _payout_method(person=person, payee=payee)
    expense.title = title.strip()[:200]
    expense.category = category
    expense.event_ref = (event_ref or "").strip()[:200]
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
        ExpenseEvent.objects.create(
            expense=expense,
            action="opencity.expense.edited",
            from_status=expense.status,
            to_status=expense.status,
            by=by,
        )
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


APPROVAL_MESSAGES = {
    "forbidden": (PermissionDenied, _("Only an admin of this collective or of its host can approve expenses.")),
    "wrong_status": (Conflict, _("Only an expense pending approval can be approved.")),
    "own_expense": (PermissionDenied, _("You cannot approve your own expense: another admin must approve it.")),
    "already_approved": (Conflict, _("You have already approved this expense; another admin must approve it too.")),
}


def approvals_needed(expense: Expense) -> int:
    threshold = expense.collective.host.expense_two_approvals_above
    return 2 if threshold is not None and expense.amount > threshold else 1


def expense_approve(*, expense: Expense, by, note: str = "") -> Expense:
    """Approve. Above the host's threshold two different admins must approve; the second one makes it payable."""
    with transaction.atomic():
        expense = lock_expense(expense)
        reason = permissions.approval_refusal(by, expense)
        if reason:
            exc, message = APPROVAL_MESSAGES[reason]
            raise exc(message, code=reason)
        ExpenseApproval.objects.create(expense=expense, by=by, round=expense.submission_round)
        count = expense.approvals.filter(round=expense.submission_round).count()
        needed = approvals_needed(expense)
        if count >= needed:
            expense.approved_at = timezone.now()
            record_transition(expense, action="opencity.expense.approved", to=ExpenseStatus.APPROVED, by=by, note=note)
        else:
            ExpenseEvent.objects.create(
                expense=expense,
                action="opencity.expense.approval_added",
                from_status=expense.status,
                to_status=expense.status,
                by=by,
                note=note or str(_("Approval %(n)s of %(needed)s.") % {"n": count, "needed": needed}),
            )
        expense.save()
    return expense


def _simple_transition(
    *, expense, by, allowed, to, action, note, refusal, role=permissions.is_host_admin_of, require_note=False
) -> Expense:
    if require_note and not (note or "").strip():
        raise ValidationFailed(_("Please write a message for the submitter."), code="note_required", field="note")
    with transaction.atomic():
        # Payout files lock their batch, then its expenses: take the same order here (no deadlock).
        payout_files.lock_open_batch_of(expense)
        expense = lock_expense(expense)
        if not role(by, expense):
            raise PermissionDenied()
        if not allowed(by, expense):
            if expense.status == to:
                return expense  # a double-submitted form changes nothing
            raise Conflict(refusal, code="wrong_status")
        if expense.status == ExpenseStatus.APPROVED:
            _leave_payout_file(expense)
        record_transition(expense, action=action, to=to, by=by, note=(note or "").strip())
        expense.save()
    return expense


def _leave_payout_file(expense: Expense) -> None:
    """An approved expense stops being payable: out of the ready payout file it was in (rebuilt without it)."""
    line = expense.payout_lines.filter(status=PayoutLine.Status.OPEN).select_related("expense").first()
    if line is not None:
        payout_files.batch_drop_line(line=line)


def expense_reject(*, expense: Expense, by, note: str = "") -> Expense:
    return _simple_transition(
        expense=expense,
        by=by,
        role=permissions.is_expense_admin,
        allowed=permissions.can_reject,
        to=ExpenseStatus.REJECTED,
        action="opencity.expense.rejected",
        note=note,
        refusal=_("This expense can no longer be rejected."),
    )


def expense_mark_incomplete(*, expense: Expense, by, note: str) -> Expense:
    """Back to the submitter with a message: they edit and resubmit (approvals start over)."""
    if not permissions.is_host_admin_of(by, expense):
        raise PermissionDenied(_("Only an admin of the host can mark an expense incomplete."))
    return _simple_transition(
        expense=expense,
        by=by,
        allowed=permissions.can_mark_incomplete,
        to=ExpenseStatus.INCOMPLETE,
        action="opencity.expense.marked_incomplete",
        note=note,
        require_note=True,
        refusal=_("This expense cannot be marked incomplete now."),
    )


def expense_hold(*, expense: Expense, by, note: str = "") -> Expense:
    if not permissions.is_host_admin_of(by, expense):
        raise PermissionDenied(_("Only an admin of the host can put an expense on hold."))
    return _simple_transition(
        expense=expense,
        by=by,
        allowed=permissions.can_hold,
        to=ExpenseStatus.ON_HOLD,
        action="opencity.expense.on_hold",
        note=note,
        refusal=_("This expense cannot be put on hold now."),
    )


def expense_release(*, expense: Expense, by, note: str = "") -> Expense:
    """Take an expense off hold: back to pending approval (approvals of the round still count)."""
    if not permissions.is_host_admin_of(by, expense):
        raise PermissionDenied()
    with transaction.atomic():
        locked = lock_expense(expense)
        back = ExpenseStatus.PENDING
        last = locked.events.filter(to_status=ExpenseStatus.ON_HOLD).order_by("-pk").first()
        if last and last.from_status == ExpenseStatus.APPROVED:
            back = ExpenseStatus.APPROVED
    return _simple_transition(
        expense=expense,
        by=by,
        allowed=permissions.can_release,
        to=back,
        action="opencity.expense.released",
        note=note,
        refusal=_("This expense is not on hold."),
    )


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
