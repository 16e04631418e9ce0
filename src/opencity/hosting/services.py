"""Writes for hosts and collectives: create, apply, approve, reject, update, admins and invitations.

A collective's address (slug): checked, suggested and moved in hosting.slugs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.hosting import permissions, slugs
from opencity.hosting.models import (
    LANGUAGE_CHOICES,
    Collective,
    CollectiveAdmin,
    Host,
    HostAdmin,
    HostApplication,
)
from opencity.hosting.receipt_prefix import host_assign_receipt_prefix, receipt_prefix_validate
from opencity.hosting.validators import validate_bic, validate_enterprise_number, validate_iban
from opencity.ledger import services as ledger
from opencity.money import MAX_AMOUNT_MINOR


def _validation_error(exc: ValidationError) -> ValidationFailed:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return ValidationFailed(errors[0].messages[0], code=errors[0].code or "invalid", field=field)
    return ValidationFailed(exc.messages[0], code=exc.error_list[0].code or "invalid")


@transaction.atomic
def host_create(
    *,
    legal_name: str,
    slug: str,
    name: str = "",
    admin=None,
    country: str = "BE",
    currency: str = "EUR",
    enterprise_number: str = "",
    iban: str = "",
    bic: str = "",
    default_host_fee_percent=None,
    languages: list[str] | None = None,
    description: str = "",
    address: str = "",
) -> Host:
    """A host, its own public profile collective (hosted by itself), its admin and its ledger accounts."""
    slug = slugs.check_slug(slug)
    try:
        enterprise_number = validate_enterprise_number(enterprise_number) if enterprise_number else ""
        iban = validate_iban(iban) if iban else ""
        bic = validate_bic(bic) if bic else ""
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    host = Host(
        legal_name=legal_name,
        country=country,
        currency=currency,
        enterprise_number=enterprise_number,
        iban=iban,
        bic=bic,
        languages=languages or ["en", "fr", "nl"],
        address=address,
    )
    if default_host_fee_percent is not None:
        host.default_host_fee_percent = default_host_fee_percent
    try:
        host.full_clean(exclude=["profile"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    host.save()
    profile = Collective(
        slug=slug,
        name=name or legal_name,
        description=description,
        host=host,
        status=Collective.Status.ACTIVE,
        approved_at=timezone.now(),
        created_by=admin,
        languages=host.languages,
        host_fee_percent=0,
    )
    try:
        profile.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    profile.save()
    host.profile = profile
    host.save(update_fields=["profile"])
    host_assign_receipt_prefix(host=host)
    ledger.host_open_accounts(host=host)
    ledger.funds_account(profile)
    if admin is not None:
        HostAdmin.objects.create(host=host, user=admin)
        CollectiveAdmin.objects.create(collective=profile, user=admin)
    from opencity.community.volunteering import story_opportunity_ensure

    story_opportunity_ensure(host=host)  # the standing "write a story" volunteer opportunity (issue 13)
    return host


def host_add_admin(*, host: Host, user) -> None:
    HostAdmin.objects.get_or_create(host=host, user=user)
    CollectiveAdmin.objects.get_or_create(collective=host.profile, user=user)


@transaction.atomic
def collective_create(
    *,
    user,
    host: Host,
    name: str,
    slug: str = "",
    description: str = "",
    category: str = "other",
    commune: str = "region",
    languages: list[str] | None = None,
    message: str = "",
    website: str = "",
) -> Collective:
    """A citizen creates a collective and applies to `host` in one step; it is pending until approved.

    A repeated submission (double click, retried API call) by the same person with the same name and
    address returns the collective created the first time instead of failing or creating a second one.
    """
    if not permissions.can_create_collective(user):
        raise PermissionDenied(
            _("Please confirm your email address before creating a collective."), code="email_not_confirmed"
        )
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Please give your collective a name."), code="name_required", field="name")
    if slug:
        existing = Collective.objects.filter(
            slug__iexact=slug.strip(), created_by=user, name=name, status=Collective.Status.PENDING
        ).first()
        if existing is not None and existing.host_id == host.pk:
            return existing
    slug = slugs.check_slug(slug or slugs.slug_suggest(name))
    languages = _check_languages(languages)
    collective = Collective(
        slug=slug,
        name=name,
        description=(description or "").strip(),
        category=category,
        commune=commune,
        languages=languages,
        website=website,
        host=host,
        created_by=user,
    )
    try:
        collective.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    collective.save()
    CollectiveAdmin.objects.create(collective=collective, user=user)
    application = HostApplication.objects.create(
        collective=collective, host=host, message=message.strip(), applied_by=user
    )
    _notify_on_commit("application_received", application)
    return collective


@transaction.atomic
def application_approve(*, application: HostApplication, by) -> HostApplication:
    if not permissions.can_review_applications(by, application.host):
        raise PermissionDenied()
    application = HostApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != HostApplication.Status.PENDING:
        raise Conflict(_("This application has already been decided."), code="already_decided")
    application.status = HostApplication.Status.APPROVED
    application.decided_by, application.decided_at = by, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    collective = application.collective
    collective.status, collective.approved_at = Collective.Status.ACTIVE, timezone.now()
    collective.save(update_fields=["status", "approved_at"])
    ledger.funds_account(collective)
    _notify_on_commit("application_approved", application)
    return application


@transaction.atomic
def application_reject(*, application: HostApplication, by, reason: str) -> HostApplication:
    if not permissions.can_review_applications(by, application.host):
        raise PermissionDenied()
    if not reason.strip():
        raise ValidationFailed(
            _("Please give a reason, so the applicants know what to change."), code="reason_required", field="reason"
        )
    application = HostApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != HostApplication.Status.PENDING:
        raise Conflict(_("This application has already been decided."), code="already_decided")
    application.status = HostApplication.Status.REJECTED
    application.decided_by, application.decided_at, application.reason = by, timezone.now(), reason.strip()
    application.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    collective = application.collective
    collective.status = Collective.Status.REJECTED
    collective.save(update_fields=["status"])
    _notify_on_commit("application_rejected", application)
    return application


def collective_add_admin(*, collective: Collective, user) -> None:
    CollectiveAdmin.objects.get_or_create(collective=collective, user=user)


def _check_languages(languages) -> list[str]:
    known = [code for code, _label in LANGUAGE_CHOICES]
    languages = list(languages or [])
    unknown = [lang for lang in languages if lang not in known]
    if unknown:
        raise ValidationFailed(
            _("Unknown language: %(lang)s. Choose among en, fr, nl, ar.") % {"lang": unknown[0]},
            code="invalid_language",
            field="languages",
        )
    return [code for code in known if code in languages]  # stable order, no duplicates


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _validation_error(exc) from exc


COLLECTIVE_EDITABLE = (
    "name",
    "slug",
    "description",
    "long_description",
    "category",
    "commune",
    "languages",
    "website",
)


@transaction.atomic
def collective_update(*, collective: Collective, by, **changes) -> Collective:
    """Edit a collective's public description and its address (slug); its host does not change here.

    A new address is checked like a new collective's; the old one is kept in CollectiveSlugHistory, so the
    old page redirects and no other collective can take it. The same address again changes nothing."""
    if not permissions.can_edit_collective(by, collective):
        raise PermissionDenied()
    unknown = set(changes) - set(COLLECTIVE_EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("This field cannot be changed: %(field)s.") % {"field": sorted(unknown)[0]}, code="unknown_field"
        )
    collective = Collective.objects.select_for_update().get(pk=collective.pk)
    old_slug = collective.slug
    if "slug" in changes:
        wanted = (changes["slug"] or "").strip().lower()
        if wanted == old_slug.lower():
            del changes["slug"]
        else:
            changes["slug"] = slugs.check_slug(wanted, collective)
    if "languages" in changes:
        changes["languages"] = _check_languages(changes["languages"])
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(collective, field, value)
    if not collective.name:
        raise ValidationFailed(_("Please give your collective a name."), code="name_required", field="name")
    _full_clean(collective, exclude=["slug"])
    if "slug" in changes:
        slugs.check_rename_quota(collective)
        slugs.move_slug(collective, old_slug, by)
    elif changes:
        collective.save(update_fields=list(changes))
    return collective


HOST_EDITABLE = (
    "legal_name",
    "enterprise_number",
    "iban",
    "bic",
    "address",
    "default_host_fee_percent",
    "languages",
    "expense_two_approvals_above",
    "membership_grace_days",
    "max_contribution",
    "bank_transfer_expiry_days",
    "receipt_prefix",
)


@transaction.atomic
def host_update(*, host: Host, by, **changes) -> Host:
    """A host admin edits the host's legal and banking details and its policies.

    `expense_two_approvals_above` is in minor units of the host's currency (None: never two approvals).
    """
    if not permissions.can_manage_host(by, host):
        raise PermissionDenied()
    unknown = set(changes) - set(HOST_EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("This field cannot be changed: %(field)s.") % {"field": sorted(unknown)[0]}, code="unknown_field"
        )
    host = Host.objects.select_for_update().get(pk=host.pk)
    try:
        if changes.get("enterprise_number"):
            changes["enterprise_number"] = validate_enterprise_number(changes["enterprise_number"])
        if changes.get("iban"):
            changes["iban"] = validate_iban(changes["iban"])
        if changes.get("bic"):
            changes["bic"] = validate_bic(changes["bic"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    if "receipt_prefix" in changes:
        changes["receipt_prefix"] = receipt_prefix_validate(host=host, prefix=changes["receipt_prefix"])
    if "default_host_fee_percent" in changes:
        try:
            fee = Decimal(str(changes["default_host_fee_percent"]))
        except (InvalidOperation, ValueError):
            fee = Decimal(-1)
        if not fee.is_finite() or not Decimal(0) <= fee <= Decimal(50) or fee != fee.quantize(Decimal("0.01")):
            raise ValidationFailed(
                _("The host fee must be a percentage between 0 and 50, with at most two decimals."),
                code="invalid_fee",
                field="default_host_fee_percent",
            )
        changes["default_host_fee_percent"] = fee
    if "languages" in changes:
        changes["languages"] = _check_languages(changes["languages"])
    threshold = changes.get("expense_two_approvals_above")
    if threshold is not None and (not isinstance(threshold, int) or threshold < 0):
        raise ValidationFailed(
            _("The two-approval threshold must be a positive amount."),
            code="invalid_threshold",
            field="expense_two_approvals_above",
        )
    largest = changes.get("max_contribution")
    if "max_contribution" in changes and (
        isinstance(largest, bool) or not isinstance(largest, int) or not 100 <= largest <= MAX_AMOUNT_MINOR
    ):
        raise ValidationFailed(
            _("The largest contribution must be an amount between 1 and 1,000,000,000."),
            code="invalid_max_contribution",
            field="max_contribution",
        )
    grace = changes.get("membership_grace_days")
    if grace is not None and (not isinstance(grace, int) or not 0 <= grace <= 365):
        raise ValidationFailed(
            _("The grace period must be between 0 and 365 days."), code="invalid_grace", field="membership_grace_days"
        )
    expiry = changes.get("bank_transfer_expiry_days")
    if "bank_transfer_expiry_days" in changes and (not isinstance(expiry, int) or not 1 <= expiry <= 365):
        raise ValidationFailed(
            _("Pending bank transfers expire after 1 to 365 days."),
            code="invalid_expiry",
            field="bank_transfer_expiry_days",
        )
    if "legal_name" in changes and not (changes["legal_name"] or "").strip():
        raise ValidationFailed(_("The legal name is required."), code="legal_name_required", field="legal_name")
    for field, value in changes.items():
        setattr(host, field, value.strip() if isinstance(value, str) else value)
    _full_clean(host, exclude=["profile"])
    if changes:
        try:
            with transaction.atomic():
                host.save(update_fields=list(changes))
        except IntegrityError:  # another host took the same receipt prefix at the same moment
            raise ValidationFailed(
                _("Another host already numbers its receipts with “%(prefix)s”; choose another prefix.")
                % {"prefix": host.receipt_prefix},
                code="receipt_prefix_taken",
                field="receipt_prefix",
            ) from None
    return host


def _notify_on_commit(event: str, application: HostApplication) -> None:
    from opencity.hosting import notifications

    transaction.on_commit(lambda: notifications.send(event, application))
