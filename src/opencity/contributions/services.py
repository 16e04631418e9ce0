"""Writes for tiers and the checkout: validate, write our PENDING contribution, hand over to a provider.

Settlement (paid, refunded, disputed) lives in `settlement.py`, memberships in `recurring.py`, a guest's
"this was me" in `identity.py`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat

from opencity.community import services as community
from opencity.community.services import person_find_or_create
from opencity.contributions import identity, permissions
from opencity.contributions.errors import InvalidContribution, TierSoldOut
from opencity.contributions.fees import amount_covering_fees
from opencity.contributions.models import Contribution, ContributionEvent, Interval, RecurringContribution, Tier
from opencity.core.errors import NotFound, PermissionDenied
from opencity.money import MAX_AMOUNT_MINOR, is_known_currency
from opencity.payments import providers

DEFAULT_MINIMUM = 100  # €1.00 for contributions without a tier


def _invalid(message, code: str, field: str) -> InvalidContribution:
    return InvalidContribution(message, code=code, field=field)


# --- tiers -------------------------------------------------------------------------------------------


def _check_tier_fields(*, amount_type, amount, presets, minimum, interval, goal, type) -> None:
    if type not in Tier.Type.values:
        raise _invalid(_("Choose a tier type."), "invalid_tier_type", "type")
    if interval not in Interval.values:
        raise _invalid(_("Choose an interval."), "invalid_interval", "interval")
    if type == Tier.Type.MEMBERSHIP and interval == Interval.ONE_TIME:
        raise _invalid(_("A membership is monthly or yearly."), "membership_needs_interval", "interval")
    if minimum is None or minimum <= 0 or minimum > MAX_AMOUNT_MINOR:
        raise _invalid(_("The minimum must be a positive amount."), "invalid_minimum", "minimum")
    if amount_type == Tier.AmountType.FIXED and not amount:
        raise _invalid(_("A fixed tier needs an amount."), "tier_amount_required", "amount")
    for value, field in [(amount, "amount"), (goal, "goal")] + [(p, "presets") for p in presets]:
        if value is not None and (value <= 0 or value > MAX_AMOUNT_MINOR):
            raise _invalid(_("Amounts must be positive and realistic."), "invalid_amount", field)
    if amount_type == Tier.AmountType.FLEXIBLE and any(p < minimum for p in presets):
        raise _invalid(_("Preset amounts cannot be below the minimum."), "preset_below_minimum", "presets")


@transaction.atomic
def tier_create(
    *,
    collective,
    by,
    name: str,
    description: str = "",
    type: str = Tier.Type.DONATION,
    amount_type: str = Tier.AmountType.FLEXIBLE,
    amount: int | None = None,
    presets: list[int] | None = None,
    minimum: int = DEFAULT_MINIMUM,
    interval: str = Interval.ONE_TIME,
    goal: int | None = None,
    quantity_limit: int | None = None,
) -> Tier:
    if by is not None and not permissions.can_manage_tiers(by, collective):
        raise PermissionDenied()
    name = (name or "").strip()
    if not name:
        raise _invalid(_("A tier needs a name."), "tier_name_required", "name")
    presets = sorted({int(p) for p in presets or []})
    if amount_type == Tier.AmountType.FIXED:
        minimum = amount or minimum
    _check_tier_fields(
        amount_type=amount_type,
        amount=amount,
        presets=presets,
        minimum=minimum,
        interval=interval,
        goal=goal,
        type=type,
    )
    base = slugify(name)[:50] or "tier"
    slug, n = base, 2
    while Tier.objects.filter(collective=collective, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Tier.objects.create(
        collective=collective,
        name=name[:100],
        slug=slug,
        description=description,
        type=type,
        amount_type=amount_type,
        amount=amount,
        presets=presets,
        minimum=minimum,
        interval=interval,
        goal=goal,
        quantity_limit=quantity_limit,
        position=Tier.objects.filter(collective=collective).count(),
    )


@transaction.atomic
def tier_archive(*, tier: Tier, by) -> Tier:
    if not permissions.can_manage_tiers(by, tier.collective):
        raise PermissionDenied()
    tier.archived_at = tier.archived_at or timezone.now()
    tier.save(update_fields=["archived_at"])
    return tier


# --- checkout ----------------------------------------------------------------------------------------


@dataclass
class CheckoutRequest:
    """Everything the contributor typed, untrusted; `contribution_create` validates it all."""

    amount: int | None = None
    currency: str = ""
    interval: str = ""
    tier: str = ""  # slug or public id
    payment_method: str = ""
    email: str = ""
    name: str = ""
    anonymous: bool = False
    public_message: str = ""
    cover_fees: bool = False
    organisation_name: str = ""
    organisation_website: str = ""
    organisation_vat: str = ""
    language: str = ""
    idempotency_token: str = ""
    keep_informed: bool = False  # the unticked "keep me informed" box: a consent request, confirmed by email


def resolve_tier(collective, ref: str) -> Tier | None:
    if not ref:
        return None
    tier = (
        Tier.objects.filter(collective=collective, archived_at__isnull=True).filter(slug=ref).first()
        or Tier.objects.filter(collective=collective, archived_at__isnull=True, public_id=ref).first()
    )
    if tier is None:
        raise _invalid(_("This tier does not exist."), "unknown_tier", "tier")
    return tier


def _validate_vat(raw: str) -> str:
    try:
        return eu_vat.validate(raw)
    except Exception:  # noqa: BLE001 - stdnum raises several ValidationError subclasses
        raise _invalid(
            _("This VAT number is not valid (e.g. BE0403170701)."), "invalid_vat", "organisation_vat"
        ) from None


def _validated(collective, data: CheckoutRequest, user) -> dict:
    if not collective.is_active:
        raise NotFound(_("This collective is not accepting contributions."))
    tier = resolve_tier(collective, data.tier)
    currency = (data.currency or collective.currency).strip().upper()
    if not is_known_currency(currency):
        raise _invalid(_("Unknown currency."), "unknown_currency", "currency")
    if currency != collective.currency:
        raise _invalid(
            _("This collective accepts contributions in %(currency)s only.") % {"currency": collective.currency},
            "currency_not_accepted",
            "currency",
        )
    interval = tier.interval if tier else (data.interval or Interval.ONE_TIME)
    if interval not in Interval.values:
        raise _invalid(_("Choose one time, monthly or yearly."), "invalid_interval", "interval")
    if tier and tier.amount_type == Tier.AmountType.FIXED:
        amount = tier.amount
    else:
        amount = data.amount
    minimum = tier.minimum if tier else DEFAULT_MINIMUM
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int):
        raise _invalid(_("Enter an amount."), "amount_required", "amount")
    if amount <= 0:
        raise _invalid(_("The amount must be positive."), "amount_not_positive", "amount")
    if amount > min(MAX_AMOUNT_MINOR, collective.host.max_contribution):
        from opencity.money import Money, format_money

        largest = Money(min(MAX_AMOUNT_MINOR, collective.host.max_contribution), currency)
        raise _invalid(
            _("The largest contribution accepted online is %(max)s; please contact the host for more.")
            % {"max": format_money(largest)},
            "amount_too_large",
            "amount",
        )
    if amount < minimum:
        from opencity.money import Money, format_money

        raise _invalid(
            _("The minimum is %(minimum)s.") % {"minimum": format_money(Money(minimum, currency))},
            "amount_below_minimum",
            "amount",
        )
    provider = providers.get(data.payment_method or "")
    if not provider.is_available(collective.host) or (
        interval != Interval.ONE_TIME and not provider.supports_recurring
    ):
        raise _invalid(_("This payment method is not available."), "unknown_payment_method", "payment_method")
    email = (user.email if user is not None and user.is_authenticated else data.email or "").strip()
    if not email:
        raise _invalid(_("Enter your email address, so we can send your receipt."), "email_required", "email")
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise _invalid(_("Enter a valid email address."), "invalid_email", "email") from None
    org_name = data.organisation_name.strip()
    website = data.organisation_website.strip()
    vat = data.organisation_vat.strip()
    if (website or vat) and not org_name:
        raise _invalid(_("Enter the organisation's name."), "organisation_name_required", "organisation_name")
    if website:
        try:
            if len(website) > 200:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise _invalid(_("Enter a valid website address."), "invalid_website", "organisation_website") from None
    if vat:
        vat = _validate_vat(vat)
    if len(data.public_message) > 500:
        raise _invalid(_("The public message is limited to 500 characters."), "message_too_long", "public_message")
    covered = 0
    if data.cover_fees:
        total = amount_covering_fees(collective=collective, intended=amount, provider=provider)
        covered = total - amount
        amount = total
        if amount > MAX_AMOUNT_MINOR:
            raise _invalid(_("This amount is too large."), "amount_too_large", "amount")
    return {
        "tier": tier,
        "currency": currency,
        "interval": interval,
        "amount": amount,
        "covered_fees": covered,
        "provider": provider,
        "email": email,
        "organisation_name": org_name[:200],
        "organisation_website": website,
        "organisation_vat": vat,
    }


def _check_quantity(tier: Tier) -> None:
    """Availability under a lock on the tier row, so two last buyers cannot both get the last one."""
    if tier.quantity_limit is None:
        return
    Tier.objects.select_for_update().filter(pk=tier.pk).first()
    if tier.is_recurring:
        taken = RecurringContribution.objects.filter(tier=tier).exclude(status=RecurringContribution.Status.CANCELLED)
    else:
        taken = Contribution.objects.filter(tier=tier, status=Contribution.Status.PAID)
    if taken.count() >= tier.quantity_limit:
        raise TierSoldOut()


def idempotency_scope(*, user=None, session_key: str = "", email: str = "") -> str:
    """Who owns an idempotency key: the signed-in user, else the browser session, else (anonymous API) the
    email the receipt goes to. Hashed: a session key is a secret and an email is private."""
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    if session_key:
        return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:40]
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


def _by_token(scope: str, token: str) -> Contribution | None:
    return Contribution.objects.filter(idempotency_scope=scope, idempotency_token=token).first()


def contribution_create(*, collective, data: CheckoutRequest, user=None, session_key: str = "") -> Contribution:
    """Validate and write our PENDING contribution. The same idempotency token twice from the same caller
    gives the same one; from another caller, a new one.

    A guest's email finds or creates its Person (for the receipt and the community database) but proves
    nothing: the gift keeps the name as typed and stays out of that person's history until its owner
    confirms it (`contribution_confirm_identity`). A signed-in user giving as themselves is verified.
    """
    token = (data.idempotency_token or "").strip()[:64] or None
    authed = user if user is not None and user.is_authenticated else None
    scope = idempotency_scope(user=authed, session_key=session_key, email=data.email)
    if token:
        existing = _by_token(scope, token)
        if existing is not None:
            if existing.collective_id != collective.pk:
                raise _invalid(_("This form was already used."), "token_reused", "idempotency_token")
            return existing
    clean = _validated(collective, data, user)
    typed_name = (data.name or "").strip()[:200]
    try:
        with transaction.atomic():
            if clean["tier"]:
                _check_quantity(clean["tier"])
            person = getattr(authed, "person", None) if authed else None
            if person is None:
                person = person_find_or_create(
                    email=clean["email"],
                    name=(typed_name or authed.name) if authed else "",
                    new_name=typed_name,
                    user=authed,
                    language=data.language,
                )
            contribution = Contribution.objects.create(
                collective=collective,
                tier=clean["tier"],
                person=person,
                contributor_name=typed_name or (person.name if authed else ""),
                identity_verified=authed is not None,
                amount=clean["amount"],
                covered_fees=clean["covered_fees"],
                currency=clean["currency"],
                interval=clean["interval"],
                purpose=Contribution.Purpose.GIFT
                if clean["interval"] == Interval.ONE_TIME
                else Contribution.Purpose.MEMBERSHIP,
                payment_method=clean["provider"].code,
                anonymous=bool(data.anonymous),
                public_message=data.public_message.strip(),
                cover_fees=bool(data.cover_fees),
                organisation_name=clean["organisation_name"],
                organisation_website=clean["organisation_website"],
                organisation_vat=clean["organisation_vat"],
                language=(data.language or person.language or "")[:8],
                idempotency_scope=scope if token else "",
                idempotency_token=token,
                created_by=authed,
            )
            ContributionEvent.objects.create(
                contribution=contribution, from_status="", to_status=contribution.status, by=authed, note="checkout"
            )
            if authed is not None:
                identity.record_interaction(contribution)
            if data.keep_informed:
                community.consent_request(
                    person=person,
                    host=collective.host,
                    wording=community.consent_wording(collective.host),
                    language=data.language,
                )
    except IntegrityError:
        if token:
            existing = _by_token(scope, token)
            if existing is not None:
                return existing
        raise
    return contribution


def contribution_create_for_purpose(
    *,
    collective,
    person,
    amount: int,
    purpose: str,
    payment_method: str,
    contributor_name: str = "",
    language: str = "",
    by=None,
) -> Contribution:
    """A PENDING one-time payment for something another app owns (e.g. a ticket order), inside the caller's
    transaction. Settlement tells that app through `payments.pipeline` when it is paid, refunded or expires."""
    if purpose not in Contribution.Purpose.values or purpose == Contribution.Purpose.MEMBERSHIP:
        raise ValueError(purpose)
    if not isinstance(amount, int) or amount <= 0 or amount > MAX_AMOUNT_MINOR:
        raise _invalid(_("The amount must be positive."), "amount_not_positive", "amount")
    provider = providers.get(payment_method or "")
    if not provider.is_available(collective.host):
        raise _invalid(_("This payment method is not available."), "unknown_payment_method", "payment_method")
    contribution = Contribution.objects.create(
        collective=collective,
        person=person,
        contributor_name=contributor_name[:200],
        identity_verified=by is not None and by.is_authenticated,
        amount=amount,
        currency=collective.currency,
        purpose=purpose,
        payment_method=provider.code,
        language=(language or person.language or "")[:8],
        created_by=by if by is not None and by.is_authenticated else None,
    )
    ContributionEvent.objects.create(
        contribution=contribution, from_status="", to_status=contribution.status, note=purpose
    )
    return contribution


def contribution_start_payment(*, contribution: Contribution, request=None) -> providers.StartResult:
    """Hand a PENDING contribution to its provider (after our row is committed). Failure marks it FAILED."""
    from opencity.contributions import settlement

    provider = providers.get(contribution.payment_method)
    if contribution.status != Contribution.Status.PENDING:
        from django.urls import reverse

        return providers.StartResult(redirect_url=reverse("contributions:thanks", args=[contribution.public_id]))
    try:
        return provider.start(contribution, request)
    except Exception as exc:
        settlement.contribution_mark_failed(contribution=contribution, note=str(exc)[:300])
        raise
