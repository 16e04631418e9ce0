"""The prefix of a host's receipt numbers (BT-2026-000123): unique across hosts, so numbers are unique per host.

Chosen at creation from the capitals of the host's name ("BrusselsTogether" → BT); when another host has it
already ("Bruxelles Tous"), the next free one (BT2, BT3…). A host admin may pick another one, which must be
free too — also of numbers another host has already issued with it.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed

PREFIX_RE = re.compile(r"^[A-Z0-9]{1,8}$")


def receipt_prefix_base(*, name: str, slug: str) -> str:
    """ "BrusselsTogether" → "BT": the capitals of the name (or the initials of the slug), at most four."""
    caps = re.findall(r"[A-Z]", name or "")
    if len(caps) < 2:
        caps = [w[0].upper() for w in re.split(r"[^A-Za-z0-9]+", slug or "") if w]
    return "".join(caps[:4]) or "RC"


def _taken(host, prefix: str) -> bool:
    Host = apps.get_model("hosting", "Host")
    Contribution = apps.get_model("contributions", "Contribution")
    if Host.objects.filter(receipt_prefix=prefix).exclude(pk=host.pk).exists():
        return True
    return (
        Contribution.objects.filter(receipt_number__startswith=f"{prefix}-")
        .exclude(collective__host_id=host.pk)
        .exists()
    )


def receipt_prefix_validate(*, host, prefix: str) -> str:
    """The prefix a host admin typed, upper-cased; refused when malformed or used by another host."""
    prefix = (prefix or "").strip().upper()
    if not PREFIX_RE.match(prefix):
        raise ValidationFailed(
            _("The receipt prefix is 1 to 8 letters or digits, e.g. BT."),
            code="invalid_receipt_prefix",
            field="receipt_prefix",
        )
    if _taken(host, prefix):
        raise ValidationFailed(
            _("Another host already numbers its receipts with “%(prefix)s”; choose another prefix.")
            % {"prefix": prefix},
            code="receipt_prefix_taken",
            field="receipt_prefix",
        )
    return prefix


def host_assign_receipt_prefix(*, host) -> str:
    """Give `host` the first free prefix derived from its name (idempotent: keeps one it already has)."""
    if host.receipt_prefix:
        return host.receipt_prefix
    Host = apps.get_model("hosting", "Host")
    base = receipt_prefix_base(name=host.name, slug=host.slug or host.legal_name)
    for n in range(1, 1000):
        candidate = base if n == 1 else f"{base[: 8 - len(str(n))]}{n}"
        if _taken(host, candidate):
            continue
        try:
            with transaction.atomic():
                Host.objects.filter(pk=host.pk).update(receipt_prefix=candidate)
        except IntegrityError:  # another host took it at the same moment
            continue
        host.receipt_prefix = candidate
        return candidate
    raise RuntimeError("no free receipt prefix")  # pragma: no cover - a thousand hosts with the same initials
