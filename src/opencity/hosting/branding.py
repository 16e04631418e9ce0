"""A collective's look: logo, cover image and accent colour (issue 10).

Images are judged by their bytes twice — `filetype` must recognise a JPEG, PNG, WebP or GIF (never SVG, never
a file merely named .png), then Pillow must decode them — turned upright, resized, and re-encoded from
their pixels alone — so no EXIF, GPS or other metadata survives — and stored under a name derived from their
content, so their URL can be cached for a year.
"""

from __future__ import annotations

import hashlib
import io
import re

import filetype
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.hosting import permissions
from opencity.hosting.models import Collective

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF"}
ACCEPTED_MIME = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# kind → (largest width, largest height, stored format)
SIZES = {"logo": (400, 400, "PNG"), "cover": (1600, 600, "JPEG")}
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # white text on the accent, and the accent as link colour on white (WCAG AA)


def _refuse(message, code: str, field: str):
    return ValidationFailed(message, code=code, field=field)


def clean_image(upload, *, kind: str) -> ContentFile:
    """The upload re-encoded for `kind` ("logo" or "cover"), or a translated refusal."""
    if (getattr(upload, "size", 0) or 0) > MAX_UPLOAD_BYTES:
        raise _refuse(_("Images may be up to 8 MB."), "image_too_large", kind)
    upload.seek(0)
    guess = filetype.guess(upload.read(8192))
    if guess is None or guess.mime not in ACCEPTED_MIME:
        raise _refuse(_("Use a JPEG, PNG, WebP or GIF image."), "image_type", kind)
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED:
                raise _refuse(_("Use a JPEG, PNG, WebP or GIF image."), "image_type", kind)
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(_("This image has too many pixels."), "image_too_large", kind)
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("Use a JPEG, PNG, WebP or GIF image."), "image_type", kind) from None
    width, height, fmt = SIZES[kind]
    img.thumbnail((width, height), Image.Resampling.LANCZOS)
    if fmt == "JPEG":
        img = img.convert("RGB")
    else:
        img = img.convert("RGBA")
    clean = Image.new(img.mode, img.size)  # a new image from the pixels only: no metadata carried over
    clean.putdata(list(img.getdata()))
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else {"optimize": True}))
    data = out.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    return ContentFile(data, name=f"{kind}-{digest}.{'jpg' if fmt == 'JPEG' else 'png'}")


def _luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_color: str) -> float:
    return 1.05 / (_luminance(hex_color) + 0.05)


def clean_accent(value: str, *, field: str = "accent_color") -> str:
    """#rrggbb, dark enough for white text on it; "" for none. Refusals name `field`."""
    value = (value or "").strip()
    if not value:
        return ""
    if not HEX.match(value):
        raise _refuse(_("Give the colour as #rrggbb, for example #0b6e4f."), "invalid_color", field)
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise _refuse(
            _("This colour is too light to read white text on it (contrast %(ratio)s:1, at least 4.5:1 is needed).")
            % {"ratio": f"{ratio:.1f}"},
            "low_contrast",
            field,
        )
    return value.lower()


def clean_look(*, logo, cover, accent: str | None, accent_field: str) -> tuple[dict, str | None]:
    """Check a new look before anything is saved: the images re-encoded (kind → file) and the accent (None:
    unchanged). Shared by collectives and events."""
    files = {
        kind: clean_image(upload, kind=kind)
        for kind, upload in (("logo", logo), ("cover", cover))
        if upload is not None
    }
    return files, (clean_accent(accent, field=accent_field) if accent is not None else None)


def collective_set_look(
    *,
    collective: Collective,
    by,
    logo=None,
    cover=None,
    remove_logo: bool = False,
    remove_cover: bool = False,
    accent_color: str | None = None,
) -> Collective:
    """Change a collective's logo, cover and accent colour; everything is checked before anything is saved."""
    if not permissions.can_edit_collective(by, collective):
        raise PermissionDenied()
    files, accent = clean_look(logo=logo, cover=cover, accent=accent_color, accent_field="accent_color")
    with transaction.atomic():
        row = Collective.objects.select_for_update().get(pk=collective.pk)
        apply_look(
            row, files, remove={"logo": remove_logo, "cover": remove_cover}, accent_field="accent_color", accent=accent
        )
    return row


def apply_look(row, files: dict, *, remove: dict, accent_field: str, accent: str | None) -> None:
    """Save checked images (`files`: kind → cleaned file) and the accent on a row locked by the caller's
    transaction; the replaced or removed image files are deleted once it commits. Shared by collectives and
    events, whose `logo` and `cover` fields work the same way."""
    old = {"logo": row.logo.name, "cover": row.cover.name}
    storage = row.logo.storage
    for kind in ("logo", "cover"):
        if kind in files:
            files[kind].seek(0)
            getattr(row, kind).save(files[kind].name, files[kind], save=False)
        elif remove.get(kind):
            setattr(row, kind, "")
    if accent is not None:
        setattr(row, accent_field, accent)
    row.save(update_fields=["logo", "cover", accent_field])
    for kind, name in old.items():
        if name and name != getattr(row, kind).name:
            transaction.on_commit(lambda n=name, st=storage: st.delete(n))


TRANSLATION_LIMITS = {"name": 120, "description": 300, "long_description": 20_000}


def collective_set_translations(*, collective: Collective, by, translations: dict) -> Collective:
    """Set the collective's name, tagline and about in other languages (empty fields fall back to the
    original). `translations` is {language: {field: text}} for the site's languages only."""
    from opencity.hosting.models import LANGUAGE_CHOICES, TRANSLATED_FIELDS

    if not permissions.can_edit_collective(by, collective):
        raise PermissionDenied()
    known = dict(LANGUAGE_CHOICES)
    clean: dict[str, dict[str, str]] = {}
    for language, fields in (translations or {}).items():
        if language not in known or not isinstance(fields, dict):
            raise _refuse(_("Unknown language."), "invalid_language", "translations")
        texts = {}
        for field in TRANSLATED_FIELDS:
            value = str(fields.get(field) or "").strip()
            if len(value) > TRANSLATION_LIMITS[field]:
                raise _refuse(
                    _("This text is too long (at most %(max)s characters).") % {"max": TRANSLATION_LIMITS[field]},
                    "too_long",
                    f"{language}-{field}",
                )
            if value:
                texts[field] = value
        if texts:
            clean[language] = texts
    with transaction.atomic():
        row = Collective.objects.select_for_update().get(pk=collective.pk)
        row.translations = clean
        row.save(update_fields=["translations"])
    return row
