"""The host's bank pages (`/<host>/admin/bank…`): accounts, statement upload, lines, the unmatched queue,
reconciliation and its CSV. Thin: parse, check permission, call one service or selector, render."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencity.accounts.decorators import sudo_redirect
from opencity.accounts.permissions import money_gate
from opencity.banking import matching, permissions, reconciliation, selectors, services
from opencity.banking.formats import max_bytes
from opencity.banking.models import LineState
from opencity.core.errors import DomainError, ValidationFailed
from opencity.hosting import selectors as hosting_selectors


def _host(request, slug):
    host = hosting_selectors.host_by_slug(slug)
    if host is None:
        raise Http404
    if not request.user.is_authenticated:
        return None
    if not permissions.can_view_bank(request.user, host):
        raise PermissionDenied
    return host


def _bank_url(host) -> str:
    return reverse("banking:index", kwargs={"slug": host.slug})


def index(request, slug):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "banking/index.html",
        {
            "host": host,
            "reconciliations": reconciliation.host_reconciliations(host),
            "statements": selectors.host_statements(host)[:50],
            "unmatched_count": selectors.unmatched_lines(host).count(),
            "max_mb": max_bytes() // (1024 * 1024),
            "gate": money_gate(request.user),
        },
    )


@require_POST
def account_add(request, slug):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(_bank_url(hosting_selectors.host_by_slug(slug)))
    try:
        services.bank_account_create(
            host=host,
            iban=request.POST.get("iban", ""),
            bic=request.POST.get("bic", ""),
            beneficiary=request.POST.get("beneficiary", ""),
            label=request.POST.get("label", ""),
            by=request.user,
        )
        messages.success(request, _("Bank account added."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect(_bank_url(host))


@require_POST
def upload(request, slug):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(_bank_url(hosting_selectors.host_by_slug(slug)))
    if sudo := sudo_redirect(request):
        return sudo
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, _("Choose a statement file (CAMT.053 or CODA)."))
        return redirect(_bank_url(host))
    for f in files:
        if f.size > max_bytes():
            messages.error(
                request,
                _("%(name)s: this file is too large (at most %(mb)s MB).")
                % {"name": f.name, "mb": max_bytes() // (1024 * 1024)},
            )
            continue
        try:
            result = services.statement_import(host=host, data=f.read(), by=request.user)
        except DomainError as exc:
            messages.error(request, f"{f.name}: {exc}")
            continue
        messages.success(
            request,
            _("%(name)s: %(new)s new lines, %(known)s already known, %(matched)s matched automatically.")
            % {"name": f.name, "new": len(result.new_lines), "known": result.known_lines, "matched": result.matched},
        )
    return redirect(_bank_url(host))


def statement(request, slug, public_id):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(request.get_full_path())
    st = selectors.statement_by_public_id(host, public_id)
    if st is None:
        raise Http404
    return render(
        request,
        "banking/statement.html",
        {
            "host": host,
            "statement": st,
            "lines": selectors.statement_lines(st),
            "gap": selectors.statement_gap(st),
            "unexplained": selectors.statement_unexplained(st),
        },
    )


def unmatched(request, slug):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "banking/unmatched.html",
        {
            "host": host,
            "lines": selectors.unmatched_lines(host)[:200],
            "left": selectors.host_lines(host, state=LineState.LEFT)[:100],
            "assigned": selectors.host_lines(host).filter(state__in=[LineState.ASSIGNED, LineState.HOST])[:100],
            "collectives": selectors.host_active_collectives(host),
            "can_assign": permissions.can_assign_line(request.user, host),
            "gate": money_gate(request.user),
        },
    )


@require_POST
def line_action(request, slug, public_id, action):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(reverse("banking:unmatched", kwargs={"slug": slug}))
    line = selectors.line_by_public_id(host, public_id)
    if line is None:
        raise Http404
    if sudo := sudo_redirect(request):
        return sudo
    post = request.POST
    try:
        if action in ("added_funds", "contribution"):
            collective = selectors.host_active_collectives(host).filter(slug=post.get("collective", "")).first()
            if collective is None:
                raise ValidationFailed(_("Choose an active collective of this host."), code="invalid_collective")
            if action == "added_funds":
                matching.line_assign_added_funds(
                    line=line, collective=collective, by=request.user, description=post.get("description", "")
                )
            else:
                matching.line_assign_contribution(
                    line=line,
                    collective=collective,
                    by=request.user,
                    name=post.get("name", ""),
                    email=post.get("email", ""),
                    public=post.get("public") == "on",
                )
        elif action == "host":
            matching.line_mark_host(line=line, by=request.user, note=post.get("note", ""))
        elif action == "leave":
            matching.line_leave(line=line, by=request.user, note=post.get("note", ""))
        elif action == "undo":
            matching.line_undo(line=line, by=request.user, reason=post.get("reason", ""))
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("banking:unmatched", slug=host.slug)


def account_reconciliation(request, slug, public_id):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(request.get_full_path())
    account = selectors.bank_account_by_public_id(host, public_id)
    if account is None:
        raise Http404
    rec = reconciliation.account_reconciliation(account)
    return render(request, "banking/reconciliation.html", {"host": host, "account": account, "rec": rec})


def account_reconciliation_csv(request, slug, public_id):
    host = _host(request, slug)
    if host is None:
        return redirect_to_login(request.get_full_path())
    account = selectors.bank_account_by_public_id(host, public_id)
    if account is None:
        raise Http404
    rec = reconciliation.account_reconciliation(account, detail_limit=100_000)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{account.iban}.csv"'
    w = csv.writer(response)
    cur = host.currency
    w.writerow(["section", "date", "reference", "description", "amount_minor", "currency"])
    w.writerow(
        ["bank_change", rec.date or "", rec.statement.public_id if rec.statement else "", "", rec.bank_change, cur]
    )
    w.writerow(["ledger_change", rec.date or "", "", "", rec.ledger_change, cur])
    w.writerow(["difference", rec.date or "", "", "reconciled" if rec.reconciled else "", rec.difference, cur])
    for ln in rec.not_in_ledger:
        w.writerow(["line_not_in_ledger", ln.booking_date, ln.public_id, _csv_safe(ln.communication), ln.amount, cur])
    for t in rec.in_flight:
        w.writerow(
            [
                "ledger_not_on_statement",
                t.effective_date,
                t.journal.public_id,
                _csv_safe(t.description),
                t.bank_amount,
                cur,
            ]
        )
    for st, gap in rec.gaps:
        w.writerow(["gap_before_statement", st.from_date, st.public_id, "", gap, cur])
    for st, amount in rec.incomplete:
        w.writerow(["statement_lines_do_not_add_up", st.to_date, st.public_id, "", amount, cur])
    return response


def _csv_safe(text: str) -> str:
    """No formulas in a spreadsheet from text a bank or a person typed."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
