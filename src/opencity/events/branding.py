"""An event's look: cover image, logo and accent colour.

Uploads are judged by their bytes twice — `filetype` must recognise a JPEG, PNG, WebP or GIF (never SVG, never
a file merely named .png), then the collective look's `clean_image` decodes them with Pillow, refuses
decompression bombs, and re-encodes the pixels alone (no EXIF/GPS) under a content-hashed name in the data dir.
"""

from __future__ import annotations

import filetype
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.events import permissions
from opencity.events.models import Event
from opencity.hosting import branding as hosting_branding

ACCEPTED_MIME = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def clean_image(upload, *, kind: str):
    """The upload re-encoded for `kind` ("logo" or "cover"), or a translated refusal (field = kind)."""
    if (getattr(upload, "size", 0) or 0) > hosting_branding.MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("Images may be up to 8 MB."), code="image_too_large", field=kind)
    upload.seek(0)
    guess = filetype.guess(upload.read(8192))
    upload.seek(0)
    if guess is None or guess.mime not in ACCEPTED_MIME:
        raise ValidationFailed(_("Use a JPEG, PNG, WebP or GIF image."), code="image_type", field=kind)
    return hosting_branding.clean_image(upload, kind=kind)


def clean_accent(value: str) -> str:
    """#rrggbb, dark enough for white text on it (the collective look's rule); "" for none."""
    try:
        return hosting_branding.clean_accent(value)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, field="accent_colour") from None


def event_set_look(
    *,
    event: Event,
    by,
    logo=None,
    cover=None,
    remove_logo: bool = False,
    remove_cover: bool = False,
    accent_colour: str | None = None,
) -> Event:
    """Change an event's logo, cover and accent colour; everything is checked before anything is saved."""
    return events_set_look(
        events=[event],
        by=by,
        logo=logo,
        cover=cover,
        remove_logo=remove_logo,
        remove_cover=remove_cover,
        accent_colour=accent_colour,
    )[0]


def events_set_look(
    *,
    events: list[Event],
    by,
    logo=None,
    cover=None,
    remove_logo: bool = False,
    remove_cover: bool = False,
    accent_colour: str | None = None,
) -> list[Event]:
    """The same look for several events (the dates of a series): the images are checked and re-encoded once."""
    if by is not None and not all(permissions.can_manage_event(by, e) for e in events):
        raise PermissionDenied()
    files = {}
    if logo is not None:
        files["logo"] = clean_image(logo, kind="logo")
    if cover is not None:
        files["cover"] = clean_image(cover, kind="cover")
    accent = clean_accent(accent_colour) if accent_colour is not None else None
    rows = []
    with transaction.atomic():
        for row in Event.objects.select_for_update().filter(pk__in=[e.pk for e in events]).order_by("pk"):
            hosting_branding.apply_look(
                row,
                files,
                remove={"logo": remove_logo, "cover": remove_cover},
                accent_field="accent_colour",
                accent=accent,
            )
            rows.append(row)
    return rows
