"""Hosts, collectives and host applications. Public reads need no token; writes need a personal API token.

Public answers never carry emails or bank details: a host's IBAN is given to contributors on the
payment pages, not here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from opencity.api.auth import optional_auth, token_auth
from opencity.api.pagination import clamp_limit, keyset_page
from opencity.api.schemas import ErrorOut, MoneyOut, money_out
from opencity.core.errors import NotFound, PermissionDenied, ValidationFailed
from opencity.hosting import permissions, selectors, services
from opencity.hosting.models import LANGUAGE_CHOICES, Category, Collective, Commune, Host, HostApplication
from opencity.transparency.selectors import collective_totals, host_totals

router = Router(tags=["hosting"])

LanguageCode = Literal["en", "fr", "nl", "ar"]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


class _In(Schema):
    """Request bodies: unknown fields are refused. (NUL characters never get here: core.middleware.)"""

    model_config = ConfigDict(extra="forbid")


class HostOut(Schema):
    slug: str
    name: str
    legal_name: str
    country: str
    currency: str
    enterprise_number: str
    default_host_fee_percent: str
    languages: list[str]
    description: str
    url: str
    totals: dict[str, int | MoneyOut]


class HostPrivateOut(HostOut):
    """What a host's own admins see: the bank and policy details behind the settings page."""

    iban: str
    bic: str
    address: str
    expense_two_approvals_above: int | None
    membership_grace_days: int
    receipt_prefix: str


class HostPatchIn(_In):
    legal_name: str | None = Field(default=None, min_length=1, max_length=200)
    enterprise_number: str | None = Field(default=None, max_length=20)
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=11)
    address: str | None = Field(default=None, max_length=1000)
    default_host_fee_percent: Decimal | None = Field(default=None, ge=0, le=50, decimal_places=2)
    languages: list[LanguageCode] | None = Field(default=None, max_length=4)
    expense_two_approvals_above: int | None = Field(default=None, ge=0, description="minor units; null: never")
    membership_grace_days: int | None = Field(default=None, ge=0, le=365)
    receipt_prefix: str | None = Field(default=None, max_length=8, description="receipt numbers: PREFIX-2026-000001")


class CollectiveSummaryOut(Schema):
    slug: str
    name: str
    description: str
    category: str
    commune: str
    languages: list[str]
    host: str
    url: str


class CollectiveOut(CollectiveSummaryOut):
    long_description: str
    website: str
    status: str
    currency: str
    host_fee_percent: str
    created_at: datetime
    approved_at: datetime | None
    balance: MoneyOut
    total_raised: MoneyOut
    total_spent: MoneyOut
    yearly_budget_estimate: MoneyOut


class CollectivePage(Schema):
    results: list[CollectiveSummaryOut]
    next: str | None


class CollectiveCreateIn(_In):
    name: str = Field(min_length=1, max_length=120)
    slug: str | None = Field(default=None, max_length=50)
    description: str = Field(default="", max_length=300)
    category: Category = Category.OTHER
    commune: Commune = Commune.WHOLE_CITY
    languages: list[LanguageCode] = Field(default_factory=list, max_length=4)
    host: str | None = Field(default=None, max_length=50, description="slug of the host; default: the only host")
    message: str = Field(default="", max_length=5000)
    website: str = Field(default="", max_length=200)


class CollectivePatchIn(_In):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    slug: str | None = Field(default=None, max_length=50, description="new address; the old one redirects")
    description: str | None = Field(default=None, max_length=300)
    long_description: str | None = Field(default=None, max_length=50000)
    category: Category | None = None
    commune: Commune | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=4)
    website: str | None = Field(default=None, max_length=200)


class ApplicationOut(Schema):
    id: str
    status: str
    host: str
    collective: CollectiveSummaryOut
    collective_status: str
    message: str
    applied_by: str
    created_at: datetime
    decided_at: datetime | None
    reason: str


class ApplicationPage(Schema):
    results: list[ApplicationOut]
    next: str | None


class RejectIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


def _url(slug: str) -> str:
    return f"{settings.SITE_URL}/{slug}/"


def _money_totals(totals: dict) -> dict:
    """The ledger's totals with every amount as {"value", "currency"}; counts stay plain integers."""
    currency = totals.get("currency", "EUR")
    return {
        key: value if key.endswith("_count") else money_out(value, currency)
        for key, value in totals.items()
        if key != "currency"
    }


def host_out(host: Host) -> dict:
    return {
        "slug": host.slug,
        "name": host.name,
        "legal_name": host.legal_name,
        "country": host.country,
        "currency": host.currency,
        "enterprise_number": host.enterprise_number,
        "default_host_fee_percent": str(host.default_host_fee_percent),
        "languages": host.languages,
        "description": host.profile.description if host.profile_id else "",
        "url": _url(host.slug),
        "totals": _money_totals(host_totals(host)),
    }


def host_private_out(host: Host) -> dict:
    out = host_out(host)
    out.update(
        iban=host.iban,
        bic=host.bic,
        address=host.address,
        expense_two_approvals_above=host.expense_two_approvals_above,
        membership_grace_days=host.membership_grace_days,
        receipt_prefix=host.receipt_prefix,
    )
    return out


def collective_summary(c: Collective) -> dict:
    return {
        "slug": c.slug,
        "name": c.name,
        "description": c.description,
        "category": c.category,
        "commune": c.commune,
        "languages": c.languages,
        "host": c.host.slug,
        "url": _url(c.slug),
    }


def collective_out(c: Collective) -> dict:
    totals = collective_totals(c)
    currency = totals.get("currency", c.currency)
    out = collective_summary(c)
    out.update(
        long_description=c.long_description,
        website=c.website,
        status=c.status,
        currency=c.currency,
        host_fee_percent=str(c.effective_host_fee_percent),
        created_at=c.created_at,
        approved_at=c.approved_at,
    )
    for key in ("balance", "total_raised", "total_spent", "yearly_budget_estimate"):
        out[key] = money_out(totals.get(key, 0), currency)
    return out


def application_out(app: HostApplication) -> dict:
    return {
        "id": app.public_id,
        "status": app.status,
        "host": app.host.slug,
        "collective": collective_summary(app.collective),
        "collective_status": app.collective.status,
        "message": app.message,
        "applied_by": app.applied_by.display_name if app.applied_by_id else "",
        "created_at": app.created_at,
        "decided_at": app.decided_at,
        "reason": app.reason,
    }


def _host_or_404(slug: str) -> Host:
    host = selectors.host_by_slug(slug)
    if host is None:
        raise NotFound()
    return host


def _visible_collective(request, slug: str) -> Collective:
    collective = selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise NotFound()
    return collective


def _check_choice(value: str | None, choices, field: str) -> str:
    if value and value not in dict(choices):
        raise ValidationFailed(
            _("Unknown value for %(field)s: %(value)s.") % {"field": field, "value": value},
            code="invalid_filter",
            field=field,
        )
    return value or ""


@router.get("/hosts/{slug}", response={200: HostOut, **ERRORS}, auth=None, summary="A host's public profile")
def get_host(request, slug: str):
    return host_out(_host_or_404(slug))


@router.patch(
    "/hosts/{slug}", response={200: HostPrivateOut, **ERRORS}, auth=token_auth, summary="Edit a host (host admins)"
)
def patch_host(request, slug: str, payload: HostPatchIn):
    """Legal and bank details and policies. Only the host's admins; the answer includes the private details."""
    host = _host_or_404(slug)
    if not permissions.can_manage_host(request.auth, host):
        raise PermissionDenied()
    changes = payload.model_dump(exclude_unset=True)
    nullable = {"expense_two_approvals_above"}
    if any(value is None for key, value in changes.items() if key not in nullable):
        raise ValidationFailed(_("Fields cannot be set to null."), code="null_not_allowed")
    services.host_update(host=host, by=request.auth, **changes)
    return host_private_out(_host_or_404(slug))


@router.get("/collectives", response={200: CollectivePage, **ERRORS}, auth=None, summary="Active collectives")
def list_collectives(
    request,
    q: str = "",
    category: str = "",
    commune: str = "",
    language: str = "",
    host: str = "",
    cursor: str | None = None,
    limit: int | None = None,
):
    """Same filters as the /collectives/ page; cursor-paginated, oldest first."""
    filters = {
        "q": q.strip()[:100],
        "category": _check_choice(category, Category.choices, "category"),
        "commune": _check_choice(commune, Commune.choices, "commune"),
        "language": _check_choice(language, LANGUAGE_CHOICES, "language"),
    }
    if host:
        filters["host"] = _host_or_404(host)
    rows, nxt = keyset_page(selectors.collective_directory(**filters), cursor=cursor, limit=clamp_limit(limit))
    return {"results": [collective_summary(c) for c in rows], "next": nxt}


@router.get(
    "/collectives/{slug}", response={200: CollectiveOut, **ERRORS}, auth=optional_auth, summary="One collective"
)
def get_collective(request, slug: str):
    """Pending or rejected collectives are visible only to their admins and their host's admins.
    A collective's former address answers 301 to its current one."""
    known = selectors.collective_by_slug(slug) is not None
    moved = None if known else selectors.collective_by_previous_slug(slug)
    if moved is not None and permissions.can_view_collective(request.user, moved):
        return HttpResponsePermanentRedirect(request.path.removesuffix(slug) + moved.slug)
    return collective_out(_visible_collective(request, slug))


@router.post("/collectives", response={201: CollectiveOut, **ERRORS}, auth=token_auth, summary="Create a collective")
def create_collective(request, payload: CollectiveCreateIn):
    """Creates the collective and its application to the host; it stays pending until a host admin approves."""
    if payload.host:
        host = _host_or_404(payload.host)
    else:
        hosts = selectors.hosts_accepting_applications()
        if len(hosts) != 1:
            raise ValidationFailed(
                _("Several hosts exist: say which one in “host”."), code="host_required", field="host"
            )
        host = hosts[0]
    collective = services.collective_create(
        user=request.auth,
        host=host,
        name=payload.name,
        slug=payload.slug or "",
        description=payload.description,
        category=payload.category.value,
        commune=payload.commune.value,
        languages=list(payload.languages),
        message=payload.message,
        website=payload.website,
    )
    return 201, collective_out(selectors.collective_by_slug(collective.slug))


@router.patch(
    "/collectives/{slug}", response={200: CollectiveOut, **ERRORS}, auth=token_auth, summary="Edit a collective"
)
def patch_collective(request, slug: str, payload: CollectivePatchIn):
    collective = _visible_collective(request, slug)
    changes = payload.model_dump(exclude_unset=True)
    for key in ("category", "commune"):
        if changes.get(key) is not None:
            changes[key] = getattr(payload, key).value
    if any(value is None for value in changes.values()):
        raise ValidationFailed(_("Fields cannot be set to null."), code="null_not_allowed")
    collective = services.collective_update(collective=collective, by=request.auth, **changes)
    return collective_out(selectors.collective_by_slug(collective.slug))


@router.get(
    "/hosts/{slug}/applications",
    response={200: ApplicationPage, **ERRORS},
    auth=token_auth,
    summary="A host's applications (host admins)",
)
def list_applications(
    request,
    slug: str,
    status: Literal["pending", "approved", "rejected", "all"] = "pending",
    cursor: str | None = None,
    limit: int | None = None,
):
    host = _host_or_404(slug)
    if not permissions.can_review_applications(request.auth, host):
        raise PermissionDenied()
    qs = selectors.host_applications(host, status=None if status == "all" else status).select_related("host__profile")
    rows, nxt = keyset_page(qs, cursor=cursor, limit=clamp_limit(limit))
    return {"results": [application_out(a) for a in rows], "next": nxt}


def _application_for(request, public_id: str) -> HostApplication:
    application = selectors.application_by_public_id(public_id)
    if application is None:
        raise NotFound()
    if not permissions.can_review_applications(request.auth, application.host):
        # Applicants may know their application's id; others learn nothing about it.
        if permissions.can_view_collective(request.auth, application.collective):
            raise PermissionDenied()
        raise NotFound()
    return application


@router.post(
    "/applications/{public_id}/approve",
    response={200: ApplicationOut, **ERRORS},
    auth=token_auth,
    summary="Approve an application (host admins)",
)
def approve_application(request, public_id: str):
    application = services.application_approve(application=_application_for(request, public_id), by=request.auth)
    return application_out(selectors.application_by_public_id(application.public_id))


@router.post(
    "/applications/{public_id}/reject",
    response={200: ApplicationOut, **ERRORS},
    auth=token_auth,
    summary="Reject an application with a reason (host admins)",
)
def reject_application(request, public_id: str, payload: RejectIn):
    application = services.application_reject(
        application=_application_for(request, public_id), by=request.auth, reason=payload.reason
    )
    return application_out(selectors.application_by_public_id(application.public_id))
