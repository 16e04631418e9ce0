"""Receipt files: checked by their content (magic bytes), never by their name; stored privately. A receipt
picked on the expense form is kept (`ReceiptUpload`) until the form is sent."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed
from opencity.expenses.models import ReceiptUpload

# What we accept, by detected MIME type → the extension we store it under.
ALLOWED = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/heic": ".heic",
    "image/heif": ".heic",
}


def check_receipt(upload, *, field: str = "receipt") -> tuple[str, str]:
    """Return (content_type, extension) for an acceptable receipt; ValidationFailed otherwise.

    Reads only the first 8 KB: enough for every signature we accept, and a 50 MB upload is refused by
    its size before anything is read.
    """
    size = getattr(upload, "size", None) or 0
    limit = settings.RECEIPT_MAX_BYTES
    if size > limit:
        raise ValidationFailed(
            _("This file is too large (%(size)s MB); receipts may be up to %(max)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "max": limit // (1024 * 1024)},
            code="receipt_too_large",
            field=field,
        )
    if size == 0:
        raise ValidationFailed(_("This file is empty."), code="receipt_empty", field=field)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationFailed(
            _("Receipts must be PDF, JPEG, PNG or HEIC files; this file is not one of them."),
            code="receipt_type",
            field=field,
        )
    return kind.mime, ALLOWED[kind.mime]


def receipt_download_name(uploaded_name: str, content_type: str) -> str:
    """The name a receipt downloads under: the uploader's words, the extension of the detected type.

    A PNG/HTML polyglot uploaded as `x.html` downloads as `x.png` (served as image/png), so no browser
    or desktop ever opens it as a page. Path parts, control and odd characters are dropped.
    """
    ext = ALLOWED.get(content_type, ".bin")
    base = PureWindowsPath(PurePosixPath(uploaded_name or "").name).name
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = unicodedata.normalize("NFKC", stem)
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._")[:100]
    return f"{stem or 'receipt'}{ext}"


def receipt_upload_create(*, by, upload) -> ReceiptUpload:
    """Keep a receipt picked on the expense form, checked by its content, until the form is sent."""
    mime, ext = check_receipt(upload)
    row = ReceiptUpload(
        uploaded_by=by,
        name=(getattr(upload, "name", "") or f"receipt{ext}")[-200:],
        content_type=mime,
        size=upload.size,
    )
    with transaction.atomic():
        row.file.save(f"receipt{ext}", upload, save=False)
        row.save()
    return row


def receipt_upload_delete(*, by, public_id: str) -> None:
    """The uploader removes a receipt they picked; the file goes once the deletion is committed."""
    with transaction.atomic():
        row = ReceiptUpload.objects.filter(uploaded_by=by, public_id=public_id).first()
        if row is None:
            return
        name, storage = row.file.name, row.file.storage
        row.delete()
        transaction.on_commit(lambda: storage.delete(name))
