"""A collective's address (slug): free or not, suggested from a name, checked, and moved on a rename.

An active collective keeps its old addresses (they redirect), so no one else can take them; a collective
changes its address at most RENAMES_PER_DAY times a day.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from opencity.core.errors import ValidationFailed
from opencity.hosting.models import Collective, CollectiveRename, CollectiveSlugHistory, slug_validator
from opencity.hosting.validators import RESERVED_SLUGS

RENAMES_PER_DAY = 3  # address changes per collective in any 24 hours


def _slug_in_use(slug: str, collective: Collective | None = None) -> bool:
    """Some other collective has this address now, or an active one had it before (its old addresses
    redirect, so they stay its own). A pending collective's old addresses reserve nothing."""
    current = Collective.objects.filter(slug__iexact=slug)
    previous = CollectiveSlugHistory.objects.filter(slug__iexact=slug, collective__status=Collective.Status.ACTIVE)
    if collective is not None:
        current, previous = current.exclude(pk=collective.pk), previous.exclude(collective=collective)
    return current.exists() or previous.exists()


def slug_is_free(slug: str) -> bool:
    return slug.lower() not in RESERVED_SLUGS and not _slug_in_use(slug)


def slug_suggest(name: str) -> str:
    """A free slug derived from the name: "Repair Café Ixelles" → "repair-cafe-ixelles" (or -2, -3…). A name in
    another script is transliterated ("حديقة الحي" → "hdyqh-lhy"), so it is not one of many "initiative-N"."""
    latin = "".join(anyascii(c) if unicodedata.category(c)[0] in "LN" else c for c in name or "")  # not emoji
    base = slugify(latin)[:44].strip("-") or "initiative"
    if len(base) < 2:
        base = f"{base}-collective"
    candidate, n = base, 2
    while not slug_is_free(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def check_slug(slug: str, collective: Collective | None = None) -> str:
    slug = (slug or "").strip().lower()
    if not slug:
        raise ValidationFailed(_("Please choose an address."), code="slug_required", field="slug")
    if slug.lower() in RESERVED_SLUGS:
        raise ValidationFailed(
            _("“%(slug)s” is a reserved word; please choose another address.") % {"slug": slug},
            code="reserved_slug",
            field="slug",
        )
    try:
        slug_validator(slug)
        if len(slug) < 2:  # the pattern alone lets one character through
            raise ValidationError(slug_validator.message, code="invalid_slug")
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_slug", field="slug") from exc
    if _slug_in_use(slug, collective):
        raise ValidationFailed(
            _("The address “%(slug)s” is already taken.") % {"slug": slug}, code="slug_taken", field="slug"
        )
    return slug


def slug_problem(slug: str) -> str:
    """Why this address cannot be used ("" when it can): for live feedback while typing."""
    try:
        check_slug(slug)
    except ValidationFailed as exc:
        return str(exc.message)
    return ""


def check_rename_quota(collective: Collective) -> None:
    """At most RENAMES_PER_DAY address changes per collective in 24 hours (counted under its row lock)."""
    since = timezone.now() - dt.timedelta(days=1)
    if CollectiveRename.objects.filter(collective=collective, at__gte=since).count() >= RENAMES_PER_DAY:
        raise ValidationFailed(
            ngettext(
                "This address was already changed %(count)d time today; please try again tomorrow.",
                "This address was already changed %(count)d times today; please try again tomorrow.",
                RENAMES_PER_DAY,
            )
            % {"count": RENAMES_PER_DAY},
            code="too_many_renames",
            field="slug",
        )


def move_slug(collective: Collective, old_slug: str, by) -> None:
    """Save the collective under its new address and keep the old one (a savepoint: a racing rename that took
    the same address first makes this one a clear refusal, not a broken transaction)."""
    by = by if getattr(by, "pk", None) else None
    try:
        with transaction.atomic():
            CollectiveSlugHistory.objects.filter(collective=collective, slug__iexact=collective.slug).delete()
            # A pending collective that once had the old address reserved nothing: its row gives way.
            CollectiveSlugHistory.objects.filter(slug__iexact=old_slug).exclude(collective=collective).exclude(
                collective__status=Collective.Status.ACTIVE
            ).delete()
            collective.save()
            CollectiveSlugHistory.objects.create(collective=collective, slug=old_slug, changed_by=by)
            CollectiveRename.objects.create(collective=collective, from_slug=old_slug, to_slug=collective.slug, by=by)
    except IntegrityError as exc:
        raise ValidationFailed(
            _("The address “%(slug)s” is already taken.") % {"slug": collective.slug},
            code="slug_taken",
            field="slug",
        ) from exc
