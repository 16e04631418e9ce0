"""Receipts picked on the expense form, uploaded one by one as soon as they are picked (htmx).

Without JavaScript the same files travel with the form's one submit and are kept by `forms.keep_receipts`.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_POST

from opencity.core.errors import ValidationFailed
from opencity.expenses import permissions, receipts
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors

_PREFIX = re.compile(r"^items-\d{1,2}$")


def _check(request, slug):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise Http404
    if not permissions.can_submit(request.user, collective):
        raise Http404
    prefix = request.POST.get("prefix", "")
    if not _PREFIX.match(prefix):
        raise ValidationFailed(code="invalid_prefix")
    return collective, prefix


@login_required
@require_POST
def receipt_upload(request, slug):
    """Keep one picked receipt and answer with its cell: the file's name and a remove button."""
    try:
        collective, prefix = _check(request, slug)
    except ValidationFailed:
        return HttpResponseBadRequest()
    upload = request.FILES.get(f"{prefix}-receipt")
    ctx = {"collective": collective, "prefix": prefix, "upload": None, "error": ""}
    if upload is None:
        return render(request, "expenses/_receipt_cell.html", ctx)
    try:
        ctx["upload"] = receipts.receipt_upload_create(by=request.user, upload=upload)
    except ValidationFailed as exc:
        ctx["error"] = str(exc.message)
    return render(request, "expenses/_receipt_cell.html", ctx)


@login_required
@require_POST
def receipt_remove(request, slug):
    """Remove a kept receipt and answer with an empty cell to pick another."""
    try:
        collective, prefix = _check(request, slug)
    except ValidationFailed:
        return HttpResponseBadRequest()
    receipts.receipt_upload_delete(by=request.user, public_id=request.POST.get(f"{prefix}-pending", ""))
    ctx = {"collective": collective, "prefix": prefix, "upload": None, "error": ""}
    return render(request, "expenses/_receipt_cell.html", ctx)
