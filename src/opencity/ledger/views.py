"""Host admin pages for the host's books: added funds (record, reverse) and the accountant's exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from opencity.accounts.decorators import sudo_redirect
from opencity.accounts.permissions import money_gate
from opencity.core.errors import DomainError
from opencity.hosting import selectors as hosting_selectors
from opencity.ledger import exports, selectors, services
from opencity.ledger.forms import AddedFundsForm, AtDateForm, DateRangeForm, GiftForm, ReverseForm
from opencity.ledger.models import Journal, TransferKind
from opencity.ledger.permissions import can_give, can_manage_ledger


def _host_for_admin(request, slug: str):
    host = hosting_selectors.host_by_slug(slug)
    if host is None:
        raise Http404
    if not can_manage_ledger(request.user, host):
        raise PermissionDenied
    return host


def _general_ledger_range(request, host) -> dict:
    """The range the accountant picked (this year by default) and how many lines its export will have."""
    today = timezone.localdate()
    form = DateRangeForm(request.GET or {"date_from": today.replace(month=1, day=1), "date_to": today})
    if not form.is_valid():
        return {"range_form": form, "range_lines": None}
    span = {"date_from": form.cleaned_data["date_from"], "date_to": form.cleaned_data["date_to"]}
    query = "&".join(f"{k}={v.isoformat()}" for k, v in span.items() if v)
    return {"range_form": form, "range_lines": exports.general_ledger_count(host, **span), "range_query": query}


def _page(request, host, *, form=None, status: int = 200):
    entries = selectors.added_funds_entries(host)
    return render(
        request,
        "ledger/host_ledger.html",
        {
            "host": host,
            "collective": host.profile,
            "form": form or AddedFundsForm(host=host),
            "entries": [(j, selectors.funds_collective(j)) for j in entries],
            "accounts": selectors.host_accounts(host),
            **_general_ledger_range(request, host),
            "at_form": AtDateForm(initial={"at": timezone.localdate()}),
            "reverse_form": ReverseForm(),
            "gate": money_gate(request.user),
        },
        status=status,
    )


@login_required
def host_ledger(request, slug: str):
    host = _host_for_admin(request, slug)
    return _page(request, host)


@login_required
@require_POST
def added_funds_create(request, slug: str):
    host = _host_for_admin(request, slug)
    if sudo := sudo_redirect(request):
        return sudo
    form = AddedFundsForm(request.POST, host=host)
    if not form.is_valid():
        return _page(request, host, form=form, status=400)
    data = form.cleaned_data
    try:
        journal = services.added_funds_record(
            collective=data["collective"],
            amount=data["amount"],
            source=data["source"],
            description=data["description"],
            date=data["date"],
            charge_host_fee=data["charge_host_fee"],
            by=request.user,
            idempotency_key=f"{host.pk}:{data['token']}",
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _page(request, host, form=form, status=400)
    messages.success(
        request,
        gettext("Added funds recorded for %(name)s (%(id)s).")
        % {"name": data["collective"].name, "id": journal.public_id},
    )
    return redirect("transparency:host_ledger", slug=host.slug)


@login_required
@require_POST
def added_funds_reverse(request, slug: str, journal_id: str):
    host = _host_for_admin(request, slug)
    if sudo := sudo_redirect(request):
        return sudo
    journal = Journal.objects.filter(host=host, public_id=journal_id, kind=TransferKind.ADDED_FUNDS).first()
    if journal is None:
        raise Http404
    form = ReverseForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, gettext("Say why this entry is reversed."))
        else:
            services.added_funds_reverse(journal=journal, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, gettext("The entry %(id)s was reversed.") % {"id": journal.public_id})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("transparency:host_ledger", slug=host.slug)


@login_required
def general_ledger_csv(request, slug: str):
    host = _host_for_admin(request, slug)
    form = DateRangeForm(request.GET)
    if not form.is_valid():
        return HttpResponse(gettext("Invalid dates."), status=400, content_type="text/plain; charset=utf-8")
    lines = exports.stream_general_ledger(
        host, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{host.slug}-general-ledger.csv"'
    return response


@login_required
def balance_report(request, slug: str):
    host = _host_for_admin(request, slug)
    form = AtDateForm(request.GET)
    at = (form.cleaned_data["at"] if form.is_valid() else None) or timezone.localdate()
    rows = selectors.balances_at(host, at)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(selectors.stream_balances(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{host.slug}-balances-{at.isoformat()}.csv"'
        return response
    return render(
        request,
        "ledger/balance_report.html",
        {
            "host": host,
            "at": at,
            "rows": rows,
            "total": sum(r["balance"] for r in rows),
            "held": sum(r["balance"] for r in rows if r["collective"] and r["collective"].pk != host.profile_id),
            "currency": host.currency,
            "at_form": AtDateForm(initial={"at": at}),
        },
    )


@login_required
def give(request, slug: str):
    """Admins of a collective give part of its money to another collective of the same host."""
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None:
        raise Http404
    if not can_give(request.user, collective):
        raise PermissionDenied
    if sudo := sudo_redirect(request):
        return sudo
    form = GiftForm(request.POST or None, collective=collective)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.collective_transfer(
                    from_collective=collective,
                    to_collective=data["to"],
                    amount=data["amount"],
                    description=data["description"],
                    by=request.user,
                    idempotency_key=f"{collective.pk}:{data['token']}",
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, gettext("Sent to %(name)s.") % {"name": data["to"].name})
                return redirect("transparency:transactions", slug=collective.slug)
    funds = selectors.funds_balance(collective)
    return render(
        request,
        "ledger/give.html",
        {"collective": collective, "form": form, "balance": funds, "currency": collective.currency},
        status=status,
    )
