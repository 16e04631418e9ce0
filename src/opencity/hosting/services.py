"""Writes for hosts and collectives: create, apply, approve, reject, admins."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.hosting import permissions
from opencity.hosting.models import Collective, CollectiveAdmin, Host, HostAdmin, HostApplication
from opencity.hosting.validators import RESERVED_SLUGS, validate_enterprise_number, validate_iban
from opencity.ledger import services as ledger


def _validation_error(exc: ValidationError) -> ValidationFailed:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return ValidationFailed(errors[0].messages[0], code=errors[0].code or "invalid", field=field)
    return ValidationFailed(exc.messages[0], code=exc.error_list[0].code or "invalid")


def slug_is_free(slug: str) -> bool:
    return slug.lower() not in RESERVED_SLUGS and not Collective.objects.filter(slug__iexact=slug).exists()


def slug_suggest(name: str) -> str:
    """A free slug derived from the name: "Repair Café Ixelles" → "repair-cafe-ixelles" (or -2, -3…)."""
    base = slugify(name)[:44].strip("-") or "collective"
    if len(base) < 2:
        base = f"{base}-collective"
    candidate, n = base, 2
    while not slug_is_free(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if slug.lower() in RESERVED_SLUGS:
        raise ValidationFailed(
            _("“%(slug)s” is a reserved word; please choose another address.") % {"slug": slug},
            code="reserved_slug",
            field="slug",
        )
    if Collective.objects.filter(slug__iexact=slug).exists():
        raise ValidationFailed(
            _("The address “%(slug)s” is already taken.") % {"slug": slug}, code="slug_taken", field="slug"
        )
    return slug


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
    slug = _check_slug(slug)
    try:
        enterprise_number = validate_enterprise_number(enterprise_number) if enterprise_number else ""
        iban = validate_iban(iban) if iban else ""
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
    ledger.host_open_accounts(host=host)
    ledger.funds_account(profile)
    if admin is not None:
        HostAdmin.objects.create(host=host, user=admin)
        CollectiveAdmin.objects.create(collective=profile, user=admin)
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
    """A citizen creates a collective and applies to `host` in one step; it is pending until approved."""
    slug = _check_slug(slug or slug_suggest(name))
    collective = Collective(
        slug=slug,
        name=name.strip(),
        description=description.strip(),
        category=category,
        commune=commune,
        languages=languages or [],
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


def _notify_on_commit(event: str, application: HostApplication) -> None:
    from opencity.hosting import notifications

    transaction.on_commit(lambda: notifications.send(event, application))
