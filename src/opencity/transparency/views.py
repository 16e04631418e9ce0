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
from opencity.transparency import exports, statements
from opencity.transparency.selectors import statement_account_or_none

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
    groups = _fees_under_their_payout(groups)
    for g in groups:
        g["net"] = sum(r["amount"] for r in g["lines"])
    return groups


def _fees_under_their_payout(groups: list[dict]) -> list[dict]:
    """A payout file's bank fee is its own journal; show it under the collective's payout from that file."""
    batch_ids = {g["lines"][0].get("source_id") for g in groups if g["lines"][0].get("source_type") == "payout_batch"}
    if not batch_ids:
        return groups
    from opencity.expenses.selectors import expenses_of_batches

    batch_of = expenses_of_batches(batch_ids)
    payout_group = {}
    for g in groups:
        first = g["lines"][0]
        if first.get("source_type") == "expense" and batch_of.get(first.get("source_id")):
            payout_group.setdefault(batch_of[first["source_id"]], g)
    out = []
    for g in groups:
        first = g["lines"][0]
        target = payout_group.get(first.get("source_id")) if first.get("source_type") == "payout_batch" else None
        if target is not None:
            target["lines"].extend({**line, "is_fee": True} for line in g["lines"])
        else:
            out.append(g)
    return out


def _with_source(row: dict, t) -> dict:
    return {**row, "source_type": t.journal.source_type, "source_id": t.journal.source_id}


def transactions(request, slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise Http404
    funds = statement_account_or_none(collective)
    funds_id = funds.pk if funds else 0
    filters = statement_filters(request.GET)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "json"):
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.stream_csv(funds, **filters), content_type="text/csv; charset=utf-8"
            )
        else:
            response = StreamingHttpResponse(exports.stream_json(funds, **filters), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{collective.slug}-transactions.{fmt}"'
        return response
    try:
        rows, next_cursor = statements.statement_journal_page(
            funds, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
        )
    except ValidationFailed:  # a mangled link: start from the newest
        rows, next_cursor = statements.statement_journal_page(funds, filters=filters, cursor=None, limit=PAGE_SIZE)
    return render(
        request,
        "transparency/transactions.html",
        {
            "collective": collective,
            "host": collective.host,
            "groups": _group([_with_source(statements.statement_row(t, funds_id), t) for t in rows]),
            "next_cursor": next_cursor,
            "balance": funds.balance if funds else 0,
            "currency": collective.currency,
            "filters": filters,
            "kinds": TransferKind.choices,
            "title": gettext("Transactions of %(name)s") % {"name": collective.name},
            "can_give": can_give(request.user, collective),
        },
    )
