"""Public pages: a collective's statement (HTML, CSV, JSON). Thin: parse, call a selector, render."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from opencity.core.errors import ValidationFailed
from opencity.hosting import permissions
from opencity.hosting import selectors as hosting_selectors
from opencity.ledger.models import TransferKind
from opencity.ledger.permissions import can_give
from opencity.transparency import statements
from opencity.transparency.selectors import funds_account_or_none

PAGE_SIZE = 50  # journals (a payment with all its fees) per page


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def statement_filters(params) -> dict:
    """kind / from / to from a query string; unknown values are ignored, never an error page."""
    kind = params.get("kind", "")
    return {
        "kind": kind if kind in TransferKind.values else "",
        "date_from": _date(params.get("from")),
        "date_to": _date(params.get("to")),
    }


def _group(rows: list[dict]) -> list[dict]:
    """Consecutive lines of one journal become one group: the payment, then its fees."""
    groups: list[dict] = []
    for row in rows:
        if groups and groups[-1]["journal"] == row["journal"]:
            groups[-1]["lines"].append(row)
        else:
            groups.append({"journal": row["journal"], "lines": [row]})
    for g in groups:
        g["net"] = sum(r["amount"] for r in g["lines"])
    return groups


def transactions(request, slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise Http404
    funds = funds_account_or_none(collective)
    funds_id = funds.pk if funds else 0
    filters = statement_filters(request.GET)
    qs = statements.statement_transfers(funds, **filters)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "json"):
        if fmt == "csv":
            response = StreamingHttpResponse(
                statements.stream_csv(qs, funds_id), content_type="text/csv; charset=utf-8"
            )
        else:
            response = StreamingHttpResponse(statements.stream_json(qs, funds_id), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{collective.slug}-transactions.{fmt}"'
        return response
    try:
        rows, next_cursor = statements.statement_journal_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    except ValidationFailed:  # a mangled link: start from the newest
        rows, next_cursor = statements.statement_journal_page(qs, cursor=None, limit=PAGE_SIZE)
    return render(
        request,
        "transparency/transactions.html",
        {
            "collective": collective,
            "host": collective.host,
            "groups": _group([statements.statement_row(t, funds_id) for t in rows]),
            "next_cursor": next_cursor,
            "balance": funds.balance if funds else 0,
            "currency": collective.currency,
            "filters": filters,
            "kinds": TransferKind.choices,
            "title": gettext("Transactions of %(name)s") % {"name": collective.name},
            "can_give": can_give(request.user, collective),
        },
    )
