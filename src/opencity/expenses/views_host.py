"""The host's expense dashboard: queues, totals, paying one by one or with a SEPA payout file, CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opencity.accounts.decorators import sudo_redirect
from opencity.core.errors import DomainError
from opencity.expenses import forms, payouts, permissions, selectors, sepa, services
from opencity.expenses.models import Expense
from opencity.hosting import selectors as hosting_selectors


def _host(request, slug):
    host = hosting_selectors.host_by_slug(slug)
    if host is None or not permissions.can_manage_payouts(request.user, host):
        raise Http404
    return host


def _dashboard_url(host) -> str:
    return reverse("expenses:host_dashboard", kwargs={"slug": host.slug})


@login_required
def dashboard(request, slug):
    host = _host(request, slug)
    today = timezone.localdate()
    return render(
        request,
        "expenses/host_dashboard.html",
        {
            "host": host,
            "queues": selectors.host_queues(host),
            "totals": selectors.host_totals_per_collective(host),
            "batches": selectors.host_batches(host)[:20],
            "can_pay": permissions.can_pay_host(request.user, host),
            "pay_form": forms.MarkPaidForm(),
            "period_form": forms.PeriodForm(initial={"start": today.replace(day=1), "end": today}),
            "schemas": sepa.SCHEMAS,
            "categories": selectors.host_categories(host),
            "category_form": forms.CategoryForm(),
        },
    )


@login_required
@require_POST
def pay_selected(request, slug):
    """Mark the picked approved expenses paid, or put them in a new payout file."""
    host = _host(request, slug)
    if sudo := sudo_redirect(request):
        return sudo
    ids = request.POST.getlist("expense")
    picked = list(Expense.objects.filter(collective__host=host, public_id__in=ids).select_related("collective__host"))
    if not picked:
        messages.error(request, _("Pick at least one approved expense."))
        return redirect(_dashboard_url(host))
    try:
        if "make_batch" in request.POST:
            schema = request.POST.get("schema") or sepa.DEFAULT_SCHEMA
            batch = payouts.payout_batch_create(host=host, by=request.user, expenses=picked, schema=schema)
            left_out = len(picked) - batch.count
            messages.success(request, _("Payout file ready with %(n)s expenses.") % {"n": batch.count})
            if left_out:
                messages.warning(
                    request,
                    _("%(n)s expenses were left out: not approved any more, or not enough money in the collective.")
                    % {"n": left_out},
                )
            return redirect(reverse("expenses:batch", kwargs={"slug": host.slug, "public_id": batch.public_id}))
        form = forms.MarkPaidForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter the payment date and a valid fee."))
            return redirect(_dashboard_url(host))
        paid = 0
        for expense in picked:
            try:
                payouts.expense_mark_paid(
                    expense=expense,
                    by=request.user,
                    paid_on=form.cleaned_data["paid_on"],
                    # A fee belongs to one payment: it is only taken when one expense is paid at a time.
                    bank_fee=(form.cleaned_data.get("bank_fee") or 0) if len(picked) == 1 else 0,
                )
                paid += 1
            except DomainError as exc:
                messages.error(request, f"{expense.title}: {exc.message}")
        if paid:
            messages.success(request, _("%(n)s expenses marked as paid.") % {"n": paid})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(_dashboard_url(host))


@login_required
@require_POST
def category_add(request, slug):
    """Hosts add their own expense categories to the built-in ones."""
    host = _host(request, slug)
    form = forms.CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.expense_category_create(host=host, by=request.user, code="", name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Category added."))
    return redirect(_dashboard_url(host) + "#categories-h")


def _batch(request, slug, public_id):
    host = _host(request, slug)
    batch = selectors.host_batches(host).filter(public_id=public_id).first()
    if batch is None:
        raise Http404
    return host, batch


@login_required
def batch_detail(request, slug, public_id):
    host, batch = _batch(request, slug, public_id)
    return render(
        request,
        "expenses/batch.html",
        {
            "host": host,
            "batch": batch,
            "lines": selectors.batch_lines(batch),
            "can_pay": permissions.can_pay_host(request.user, host),
            "paid_form": forms.BatchPaidForm(),
            "bank_fee": selectors.batch_bank_fee(batch),
        },
    )


@login_required
def batch_file(request, slug, public_id):
    _host_obj, batch = _batch(request, slug, public_id)
    response = FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=f"payouts-{batch.created_at:%Y%m%d}-{batch.public_id}.xml",
        content_type="application/xml",
    )
    response["Cache-Control"] = "private, no-store"
    return response


BATCH_ACTIONS = {
    "sent": (payouts.payout_batch_mark_sent, gettext_lazy("Marked as sent: the expenses are scheduled.")),
    "paid": (payouts.payout_batch_confirm_paid, gettext_lazy("Confirmed: the expenses are paid.")),
    "cancel": (payouts.payout_batch_cancel, gettext_lazy("Payout file cancelled.")),
}


@login_required
@require_POST
def batch_action(request, slug, public_id, action):
    host, batch = _batch(request, slug, public_id)
    if sudo := sudo_redirect(request):
        return sudo
    if action not in BATCH_ACTIONS:
        raise Http404
    service, done = BATCH_ACTIONS[action]
    kwargs = {}
    if action == "paid":
        form = forms.BatchPaidForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter the bank fee as an amount like 1.50, or leave it empty."))
            return redirect(reverse("expenses:batch", kwargs={"slug": host.slug, "public_id": batch.public_id}))
        kwargs["bank_fee"] = form.cleaned_data.get("bank_fee") or 0
    try:
        service(batch=batch, by=request.user, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(reverse("expenses:batch", kwargs={"slug": host.slug, "public_id": batch.public_id}))


@login_required
def expenses_csv(request, slug):
    host = _host(request, slug)
    form = forms.PeriodForm(request.GET)
    if not form.is_valid():
        today = timezone.localdate()
        start, end = today.replace(day=1), today
    else:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if end < start:
        start, end = end, start
    body = selectors.host_expenses_csv(host, start=start, end=end)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="expenses-{host.slug}-{start}-{end}.csv"'
    return response
