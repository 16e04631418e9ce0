"""Tiers, contributors and contributions. Public reads need no token and never carry emails."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import get_language
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from opencity.api.auth import optional_auth, token_auth
from opencity.api.pagination import clamp_limit
from opencity.api.schemas import ErrorOut, MoneyOut, money_out
from opencity.contributions import permissions, selectors, services, settlement
from opencity.contributions.models import Tier
from opencity.core.cursors import OFFSET, decode_cursor, encode_cursor
from opencity.core.errors import NotFound, PermissionDenied
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors

router = Router(tags=["contributions"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 502: ErrorOut}


def _collective(request, slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise NotFound()
    return collective


class TierOut(Schema):
    id: str
    slug: str
    name: str
    description: str
    type: str
    amount_type: str
    amount: MoneyOut | None
    presets: list[MoneyOut]
    minimum: MoneyOut
    interval: str
    goal: MoneyOut | None
    raised: MoneyOut
    quantity_limit: int | None
    remaining: int | None


def _tier_out(t: Tier, currency: str) -> dict:
    m = lambda v: money_out(v, currency) if v is not None else None  # noqa: E731
    return {
        "id": t.public_id,
        "slug": t.slug,
        "name": t.name,
        "description": t.description,
        "type": t.type,
        "amount_type": t.amount_type,
        "amount": m(t.amount),
        "presets": [m(p) for p in t.presets],
        "minimum": m(t.minimum),
        "interval": t.interval,
        "goal": m(t.goal),
        "raised": m(t.raised),
        "quantity_limit": t.quantity_limit,
        "remaining": t.remaining,
    }


@router.get("/collectives/{slug}/tiers", response={200: list[TierOut], **ERRORS}, auth=optional_auth)
def tiers(request, slug: str):
    collective = _collective(request, slug)
    return [_tier_out(t, collective.currency) for t in selectors.collective_tiers(collective)]


class ContributorOut(Schema):
    name: str
    is_organisation: bool
    total: MoneyOut
    contributions: int
    since: datetime


class ContributorsPage(Schema):
    results: list[ContributorOut]
    next: str | None
    members: int
    monthly_recurring_income: MoneyOut


@router.get("/collectives/{slug}/contributors", response={200: ContributorsPage, **ERRORS}, auth=optional_auth)
def contributors(request, slug: str, cursor: str | None = None, limit: int = 50):
    """The contributors wall, biggest total first. Anonymous gifts show as "Anonymous"; no emails."""
    collective = _collective(request, slug)
    limit = clamp_limit(limit, 50)
    start = (decode_cursor(cursor, o=OFFSET) or {"o": 0})["o"]
    rows = selectors.collective_contributors(collective, limit=start + limit + 1)[start:]
    nxt = encode_cursor({"o": start + limit}) if len(rows) > limit else None
    return {
        "results": [
            {
                "name": r.name,
                "is_organisation": r.is_organisation,
                "total": money_out(r.total, r.currency),
                "contributions": r.count,
                "since": r.since,
            }
            for r in rows[:limit]
        ],
        "next": nxt,
        "members": len(selectors.collective_members(collective)),
        "monthly_recurring_income": money_out(
            selectors.collective_monthly_recurring_income(collective), collective.currency
        ),
    }


class ContributionIn(Schema):
    amount: int | None = Field(None, description="Minor units (cents); ignored for fixed tiers")
    currency: str = ""
    interval: str = Field("", description="once, month or year (a tier sets its own)")
    tier: str = Field("", description="Tier slug or id")
    payment_method: str
    email: str = Field("", description="Required without a token (for the receipt); never shown publicly")
    name: str = ""
    anonymous: bool = False
    public_message: str = ""
    cover_fees: bool = False
    organisation_name: str = ""
    organisation_website: str = ""
    organisation_vat: str = ""
    idempotency_key: str = Field("", description="Same key twice creates one contribution")
    keep_informed: bool = Field(
        False,
        description="The unticked 'keep me informed about initiatives in the city' box: asks the address for "
        "consent (the wording in the request's language is stored with the time; nothing changes until the "
        "link emailed there is opened)",
    )


class ContributionCreatedOut(Schema):
    id: str
    status: str
    checkout_url: str | None = None
    instructions: dict | None = None


@router.post("/collectives/{slug}/contributions", response={201: ContributionCreatedOut, **ERRORS}, auth=optional_auth)
def contribution_create(request, slug: str, payload: ContributionIn):
    collective = _collective(request, slug)
    data = services.CheckoutRequest(
        amount=payload.amount,
        currency=payload.currency,
        interval=payload.interval,
        tier=payload.tier,
        payment_method=payload.payment_method,
        email=payload.email,
        name=payload.name[:200],
        anonymous=payload.anonymous,
        public_message=payload.public_message,
        cover_fees=payload.cover_fees,
        organisation_name=payload.organisation_name,
        organisation_website=payload.organisation_website,
        organisation_vat=payload.organisation_vat,
        language=get_language() or "",
        idempotency_token=payload.idempotency_key or request.headers.get("Idempotency-Key", ""),
        keep_informed=payload.keep_informed,
    )
    contribution = services.contribution_create(collective=collective, data=data, user=request.user)
    result = services.contribution_start_payment(contribution=contribution, request=request)
    contribution.refresh_from_db()
    body = {"id": contribution.public_id, "status": contribution.status}
    if result.instructions:
        body["instructions"] = instructions_out(result.instructions)
    else:
        body["checkout_url"] = request.build_absolute_uri(result.redirect_url) if result.redirect_url else None
    return 201, body


def instructions_out(info: dict) -> dict:
    """What the contributor must still do (a bank transfer's details), amounts as `{"value", "currency"}`."""
    out = dict(info)
    if "amount" in out and "currency" in out:
        out["amount"] = money_out(out["amount"], out.pop("currency"))
    return out


class ContributionOut(Schema):
    id: str
    collective: str
    tier: str | None
    status: str
    amount: MoneyOut
    covered_fees: MoneyOut
    processor_fee: MoneyOut
    host_fee: MoneyOut
    interval: str
    payment_method: str
    anonymous: bool
    public_message: str
    organisation_name: str
    receipt_number: str | None
    membership: str | None
    created_at: datetime
    paid_at: datetime | None
    instructions: dict | None = None


@router.get("/contributions/{public_id}", response={200: ContributionOut, **ERRORS}, auth=optional_auth)
def contribution_detail(request, public_id: str):
    """For its contributor (their token) and the collective's and host's admins."""
    c = selectors.contribution_by_public_id(public_id)
    if c is None:
        raise NotFound()
    if not permissions.can_view_contribution(request.user, c):
        if request.user.is_authenticated:
            raise PermissionDenied()
        raise NotFound()
    return _contribution_out(c)


def _contribution_out(c) -> dict:
    m = lambda v: money_out(v, c.currency)  # noqa: E731
    return {
        "id": c.public_id,
        "collective": c.collective.slug,
        "tier": c.tier.slug if c.tier_id else None,
        "status": c.status,
        "amount": m(c.amount),
        "covered_fees": m(c.covered_fees),
        "processor_fee": m(c.processor_fee),
        "host_fee": m(c.host_fee),
        "interval": c.interval,
        "payment_method": c.payment_method,
        "anonymous": c.anonymous,
        "public_message": c.public_message,
        "organisation_name": c.organisation_name,
        "receipt_number": c.receipt_number,
        "membership": c.recurring.public_id if c.recurring_id else None,
        "created_at": c.created_at,
        "paid_at": c.paid_at,
        "instructions": instructions_out(info) if (info := _pending_instructions(c)) else None,
    }


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300, description="Why; shown on the collective's public line")


@router.post(
    "/contributions/{public_id}/refund",
    response={200: ContributionOut, **ERRORS},
    auth=token_auth,
    summary="Refund what is left of a contribution (host admins, two-factor required)",
)
def contribution_refund(request, public_id: str, payload: RefundIn):
    """Gives back what is left of a paid contribution at the processor and in the ledger, with a reason that
    the public transactions show. Host admins only; refused with `2fa_required` unless two-factor passed."""
    c = selectors.contribution_by_public_id(public_id)
    if c is None or not permissions.can_view_contribution(request.auth, c):
        raise NotFound()
    if not permissions.can_refund(request.auth, c):
        raise PermissionDenied()
    settlement.contribution_refund(contribution=c, by=request.auth, reason=payload.reason)
    c.refresh_from_db()
    return _contribution_out(c)


def _pending_instructions(c) -> dict:
    from opencity.payments import providers

    if c.status != c.Status.PENDING:
        return {}
    return providers.get(c.payment_method).instructions(c)
