"""A group applies to become a host; an installation admin approves (the host is created) or rejects."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.hosting import services as hosting_services
from opencity.hosting import slugs
from opencity.hosting.validators import validate_enterprise_number, validate_iban
from opencity.movement import permissions
from opencity.movement.models import HostRequest

CURRENCIES = ("EUR", "CHF", "GBP", "USD", "SEK", "DKK", "NOK", "PLN", "CZK")
LANGUAGES = ("en", "fr", "nl", "ar")
LOGO_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def _checked(field: str, fn, value):
    try:
        return fn(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=f"invalid_{field}", field=field) from exc


def host_request_submit(
    *,
    by,
    name: str,
    slug: str,
    legal_name: str,
    enterprise_number: str,
    iban: str,
    currency: str,
    default_host_fee_percent,
    languages: list[str],
    logo=None,
    message: str = "",
) -> HostRequest:
    if not permissions.can_apply(by):
        raise PermissionDenied()
    name, legal_name = (name or "").strip(), (legal_name or "").strip()
    if not name or not legal_name:
        raise ValidationFailed(_("Give the movement’s name and its legal name."), code="name_required", field="name")
    slug = (slug or "").strip().lower()
    problem = slugs.slug_problem(slug) if slug else _("Choose an address.")
    if problem:
        raise ValidationFailed(problem, code="invalid_slug", field="slug")
    enterprise_number = _checked("enterprise_number", validate_enterprise_number, enterprise_number or "")
    iban = _checked("iban", validate_iban, iban or "")
    if currency not in CURRENCIES:
        raise ValidationFailed(_("Choose a currency from the list."), code="invalid_currency", field="currency")
    try:
        fee = Decimal(str(default_host_fee_percent))
    except (InvalidOperation, ValueError):
        fee = Decimal(-1)
    if not (0 <= fee <= 50):
        raise ValidationFailed(
            _("The default host fee must be between 0 and 50 %."), code="invalid_fee", field="default_host_fee_percent"
        )
    languages = [code for code in LANGUAGES if code in (languages or [])]
    if not languages:
        raise ValidationFailed(_("Choose at least one language."), code="invalid_languages", field="languages")
    logo_ext = ""
    if logo:
        logo.seek(0)
        kind = filetype.guess(logo.read(8192))
        logo.seek(0)
        if kind is None or kind.mime not in LOGO_TYPES or logo.size > 2 * 1024 * 1024:
            raise ValidationFailed(
                _("The logo must be a PNG, JPEG or WebP image up to 2 MB."), code="invalid_logo", field="logo"
            )
        logo_ext = LOGO_TYPES[kind.mime]
    with transaction.atomic():
        if HostRequest.objects.filter(slug=slug, status=HostRequest.Status.PENDING).exists():
            raise Conflict(_("A request for this address is already waiting."), code="slug_taken")
        req = HostRequest.objects.create(
            name=name[:120],
            slug=slug,
            legal_name=legal_name[:200],
            enterprise_number=enterprise_number,
            iban=iban,
            currency=currency,
            default_host_fee_percent=fee,
            languages=languages,
            message=(message or "")[:5000],
            applied_by=by,
        )
        if logo:
            req.logo.save(f"{req.public_id}{logo_ext}", logo, save=True)
    return req


def host_request_approve(*, request: HostRequest, by) -> HostRequest:
    if not permissions.can_review(by):
        raise PermissionDenied()
    with transaction.atomic():
        req = HostRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != HostRequest.Status.PENDING:
            raise Conflict(_("This request was already decided."), code="already_decided")
        host = hosting_services.host_create(
            legal_name=req.legal_name,
            name=req.name,
            slug=req.slug,
            admin=req.applied_by,
            currency=req.currency,
            enterprise_number=req.enterprise_number,
            iban=req.iban,
            default_host_fee_percent=req.default_host_fee_percent,
            languages=req.languages,
        )
        req.status, req.decided_by, req.decided_at, req.host = HostRequest.Status.APPROVED, by, timezone.now(), host
        req.save(update_fields=["status", "decided_by", "decided_at", "host"])
    return req


def host_request_reject(*, request: HostRequest, by, reason: str) -> HostRequest:
    if not permissions.can_review(by):
        raise PermissionDenied()
    with transaction.atomic():
        req = HostRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != HostRequest.Status.PENDING:
            raise Conflict(_("This request was already decided."), code="already_decided")
        req.status, req.decided_by, req.decided_at = HostRequest.Status.REJECTED, by, timezone.now()
        req.reason = (reason or "")[:2000]
        req.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return req


def setup_checklist(host, user) -> list[dict]:
    """The new host admin's first steps, each done or not, read from the data (nothing stored)."""
    from django.conf import settings

    from opencity.accounts.permissions import has_2fa
    from opencity.hosting.models import Collective

    first = Collective.objects.filter(host=host, status=Collective.Status.ACTIVE).exclude(pk=host.profile_id)
    return [
        {"key": "bank", "done": bool(host.iban)},
        {"key": "2fa", "done": has_2fa(user)},
        {"key": "collective", "done": first.exists()},
        {"key": "stripe", "done": bool(getattr(settings, "STRIPE_SECRET_KEY", "")), "optional": True},
    ]
