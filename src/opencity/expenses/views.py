"""Expense pages for everyone: the public list, submitting, the expense page, its actions and receipts."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opencity.accounts.decorators import sudo_url
from opencity.accounts.permissions import has_2fa, totp_on
from opencity.core.errors import DomainError, PermissionDenied, ValidationFailed
from opencity.core.redirects import safe_next
from opencity.expenses import approvals, forms, payouts, permissions, selectors, services
from opencity.expenses.models import ExpenseStatus, PayoutMethod
from opencity.expenses.receipts import ALLOWED, receipt_download_name
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors
from opencity.money import Money


def _collective(request, slug):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise Http404
    return collective


def _expense(request, slug, public_id):
    collective = _collective(request, slug)
    expense = selectors.expense_by_public_id(collective, public_id)
    if expense is None:
        raise Http404
    if expense.status == ExpenseStatus.DRAFT and not permissions.is_involved(request.user, expense):
        raise Http404
    return collective, expense


def _detail_url(expense) -> str:
    return reverse("expenses:detail", kwargs={"slug": expense.collective.slug, "public_id": expense.public_id})


def expense_list(request, slug):
    collective = _collective(request, slug)
    page = Paginator(selectors.public_expenses(collective), 30).get_page(request.GET.get("page"))
    categories = selectors.host_category_map(collective.host)
    rows = [(e, selectors.expense_public_data(e, categories)) for e in page]
    return render(
        request,
        "expenses/list.html",
        {
            "collective": collective,
            "page": page,
            "rows": rows,
            "can_submit": permissions.can_submit(request.user, collective),
        },
    )


@login_required
def my_expenses(request):
    page = Paginator(selectors.my_expenses(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "expenses/mine.html", {"page": page})


def _methods(user):
    person = getattr(user, "person", None)
    return list(PayoutMethod.objects.filter(person=person).order_by("-created_at")) if person else []


def _render_form(request, collective, form, formset, expense=None, status=200):
    return render(
        request,
        "expenses/form.html",
        {"collective": collective, "form": form, "formset": formset, "expense": expense},
        status=status,
    )


@login_required
def expense_new(request, slug):
    collective = _collective(request, slug)
    if not permissions.can_submit(request.user, collective):
        raise Http404
    methods = _methods(request.user)
    if request.method != "POST":
        form = forms.ExpenseForm(
            host=collective.host,
            methods=methods,
            collective=collective,
            initial={
                "form_token": uuid.uuid4().hex,
                "type": "reimbursement",
                "category": "other",
                "payee_type": "self",
                "account_holder": request.user.name,
                "payout_method": methods[0].public_id if methods else "",
            },
        )
        rows = max(1, min(int(request.GET.get("rows", "2") or 2), 50)) if request.GET.get("rows", "").isdigit() else 2
        return _render_form(request, collective, form, forms.item_formset(rows=rows))
    done = selectors.expense_submitted_with(request.user, request.POST.get("form_token", ""))
    if done is not None:  # the same form sent again (double click, retry): its kept receipts were used already
        return redirect(_detail_url(done))
    form = forms.ExpenseForm(request.POST, host=collective.host, methods=methods, collective=collective)
    formset, ready = _bind_items(request, form, collective=collective, expense_type=request.POST.get("type", ""))
    if ready:
        d = form.cleaned_data
        try:
            expense = services.expense_create(
                collective=collective,
                by=request.user,
                type=d["type"],
                title=d["title"],
                category=d["category"],
                items=forms.collect_items(formset),
                payee=form.payee(),
                event_ref=d["event_ref"],
                note=d["note"],
                invoice_number=d["invoice_number"],
                supplier_vat=d["supplier_vat"],
                draft="save_draft" in request.POST,
                idempotency_key=d.get("form_token", ""),
            )
        except ValidationFailed as exc:
            forms.apply_error(exc, form, formset)
        else:
            messages.success(request, _("Your expense was submitted. You will get an email when it is approved."))
            return redirect(_detail_url(expense))
    return _render_form(request, collective, form, formset, status=200 if ready is None else 400)


def _bind_items(request, form, *, collective, expense_type: str, existing=None):
    """Bind the items, keep every receipt picked so far, and check everything at once.

    Returns (formset, ready): ready is True when the service can be called, False when there are errors
    to show, None for a round trip that is not a submission ("Add an item", "Remove" a receipt).
    """
    add = "add_item" in request.POST
    remove = request.POST.get("remove_receipt", "")
    formset = forms.item_formset(request.POST, request.FILES, add=add)
    forms.keep_receipts(formset, user=request.user, remove=remove)
    if add or remove:
        return formset, None
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    for f in formset.forms:
        if getattr(f, "receipt_error", None):
            f.add_error("receipt", f.receipt_error)
            formset_ok = False
    problems = forms.all_problems(
        form, formset, collective=collective, expense_type=expense_type, existing=existing or {}
    )
    for problem in problems:
        forms.apply_error(problem, form, formset)
    return formset, form_ok and formset_ok and not problems


@login_required
def expense_edit(request, slug, public_id):
    collective, expense = _expense(request, slug, public_id)
    if not permissions.can_edit(request.user, expense):
        raise Http404
    methods = _methods(request.user)
    items = list(expense.items.all())
    if request.method != "POST":
        form = forms.ExpenseForm(
            host=collective.host,
            methods=methods,
            fixed_type=expense.type,
            collective=collective,
            initial={
                "type": expense.type,
                "title": expense.title,
                "category": expense.category,
                "event_ref": expense.event.public_id if expense.event_id else "",
                "payee_type": expense.payee_type,
                "payee_name": expense.payee_name if expense.payee_type == "organisation" else "",
                "payout_method": expense.payout_method.public_id if expense.payout_method else "",
                "street": expense.address_street,
                "number": expense.address_number,
                "postcode": expense.address_postcode,
                "town": expense.address_town,
                "country": expense.address_country,
                "invoice_number": expense.invoice_number,
                "supplier_vat": expense.supplier_vat,
                "note": expense.private_note,
            },
        )
        initial = [
            {
                "description": i.description,
                "incurred_on": i.incurred_on,
                "amount": str(Money(i.amount, expense.currency).as_decimal()),
                "keep": i.public_id,
            }
            for i in items
        ]
        return _render_form(
            request, collective, form, forms.item_formset(initial=initial, rows=len(initial) + 1), expense
        )
    form = forms.ExpenseForm(
        request.POST, host=collective.host, methods=methods, fixed_type=expense.type, collective=collective
    )
    formset, ready = _bind_items(
        request,
        form,
        collective=collective,
        expense_type=expense.type,
        existing={i.public_id: i for i in items},
    )
    if ready is None:
        return _render_form(request, collective, form, formset, expense)
    if ready:
        d = form.cleaned_data
        try:
            services.expense_update(
                expense=expense,
                by=request.user,
                title=d["title"],
                category=d["category"],
                items=forms.collect_items(formset),
                payee=form.payee(),
                event_ref=d["event_ref"],
                note=d["note"],
                invoice_number=d["invoice_number"],
                supplier_vat=d["supplier_vat"],
                submit="save_draft" not in request.POST,
            )
        except ValidationFailed as exc:
            forms.apply_error(exc, form, formset)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(_detail_url(expense))
        else:
            messages.success(request, _("Your expense was updated."))
            return redirect(_detail_url(expense))
    return _render_form(request, collective, form, formset, expense, status=400)


def expense_detail(request, slug, public_id):
    collective, expense = _expense(request, slug, public_id)
    user = request.user
    involved = permissions.is_involved(user, expense)
    ctx = {
        "collective": collective,
        "expense": expense,
        "public": selectors.expense_public_data(expense),
        "involved": involved,
        "items": list(expense.items.all()) if involved else [],
        "events": list(expense.events.select_related("by")) if involved else [],
        "comments": list(selectors.visible_comments(expense, user)),
        "approvals": list(selectors.approvals_of_round(expense)) if involved else [],
        "approvals_needed": approvals.approvals_needed(expense),
        "can": {
            "edit": permissions.can_edit(user, expense),
            "submit": permissions.can_submit_draft(user, expense),
            "approve": permissions.can_approve(user, expense),
            "reject": permissions.can_reject(user, expense),
            "incomplete": permissions.can_mark_incomplete(user, expense),
            "hold": permissions.can_hold(user, expense),
            "release": permissions.can_release(user, expense),
            "pay": permissions.can_pay(user, expense) and not expense.payout_lines.filter(status="open").exists(),
            "error": permissions.pay_refusal(user, expense) is None and expense.status == ExpenseStatus.SCHEDULED,
            "retry": permissions.is_host_admin_of(user, expense) and expense.status == ExpenseStatus.ERROR,
            "comment": permissions.can_comment(user, expense),
        },
        "pay_refusal": permissions.pay_refusal(user, expense),
        "own_expense_refusal": permissions.approval_refusal(user, expense) == "own_expense",
        "pay_form": forms.MarkPaidForm(),
        "comment_form": forms.CommentForm(),
    }
    return render(request, "expenses/detail.html", ctx)


ACTIONS = {
    "submit": lambda e, u, p: services.expense_submit(expense=e, by=u),
    "approve": lambda e, u, p: approvals.expense_approve(expense=e, by=u, note=p.get("note", "")),
    "reject": lambda e, u, p: approvals.expense_reject(expense=e, by=u, note=p.get("note", "")),
    "incomplete": lambda e, u, p: approvals.expense_mark_incomplete(expense=e, by=u, note=p.get("note", "")),
    "hold": lambda e, u, p: approvals.expense_hold(expense=e, by=u, note=p.get("note", "")),
    "release": lambda e, u, p: approvals.expense_release(expense=e, by=u, note=p.get("note", "")),
    "error": lambda e, u, p: payouts.expense_mark_error(expense=e, by=u, note=p.get("note", "")),
    "retry": lambda e, u, p: payouts.expense_retry(expense=e, by=u, note=p.get("note", "")),
}

# Actions that move money: a stale second factor is asked again before them (accounts.decorators).
MONEY_ACTIONS = {"pay", "error"}

DONE = {
    "submit": gettext_lazy("Submitted for approval."),
    "approve": gettext_lazy("Approved."),
    "reject": gettext_lazy("Rejected."),
    "incomplete": gettext_lazy("Sent back to the submitter."),
    "hold": gettext_lazy("Put on hold."),
    "release": gettext_lazy("Taken off hold."),
    "error": gettext_lazy("Marked as failed; the money is back in the collective."),
    "retry": gettext_lazy("Ready to pay again."),
    "pay": gettext_lazy("Marked as paid."),
    "comment": gettext_lazy("Comment added."),
}


@require_POST
def expense_action(request, slug, public_id, action):
    collective, expense = _expense(request, slug, public_id)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={_detail_url(expense)}")
    if action in MONEY_ACTIONS and totp_on(request.user) and not has_2fa(request.user):
        return redirect(sudo_url(request))  # confirm with a code, then back to the expense
    try:
        if action == "pay":
            form = forms.MarkPaidForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed(_("Enter the payment date and a valid fee."), code="invalid")
            payouts.expense_mark_paid(
                expense=expense,
                by=request.user,
                paid_on=form.cleaned_data["paid_on"],
                bank_fee=form.cleaned_data.get("bank_fee") or 0,
            )
        elif action == "comment":
            form = forms.CommentForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed(_("Write a comment first."), code="required")
            services.expense_comment(
                expense=expense,
                by=request.user,
                body=form.cleaned_data["body"],
                private=form.cleaned_data["private"],
            )
        elif action in ACTIONS:
            ACTIONS[action](expense, request.user, request.POST)
        else:
            raise Http404
    except PermissionDenied as exc:
        if not permissions.is_involved(request.user, expense):
            return render(request, "expenses/forbidden.html", {"message": exc.message}, status=403)
        messages.error(request, str(exc.message))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, DONE[action])
    return redirect(safe_next(request, _detail_url(expense)))


def receipt_download(request, slug, public_id, item_id):
    """Receipts only for the submitter and the collective's and host's admins; 404 for anyone else."""
    _collective_obj, expense = _expense(request, slug, public_id)
    if not permissions.can_download_receipt(request.user, expense):
        raise Http404
    item = expense.items.filter(public_id=item_id).first()
    if item is None or not item.receipt:
        raise Http404
    response = FileResponse(
        item.receipt.open("rb"),
        as_attachment=True,
        filename=receipt_download_name(item.receipt_name, item.receipt_content_type),
        content_type=item.receipt_content_type if item.receipt_content_type in ALLOWED else "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
