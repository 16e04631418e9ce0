"""Issue 8 item 9: a receipt downloads under a name whose extension comes from its detected type, never
the uploader's: a PNG/HTML polyglot uploaded as `x.html` downloads as `x.png`, served as image/png,
as an attachment, with `X-Content-Type-Options: nosniff`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opencity.expenses import services
from opencity.expenses.demo import tiny_png
from opencity.expenses.receipts import receipt_download_name
from tests.expenses.conftest import submit

pytestmark = pytest.mark.django_db

POLYGLOT = tiny_png() + b"<html><script>alert(document.cookie)</script></html>"


def test_a_png_html_polyglot_uploaded_as_html_downloads_as_png(world, client):
    upload = SimpleUploadedFile("x.html", POLYGLOT, content_type="text/html")
    expense = submit(
        world.collective,
        world.submitter,
        items=[services.ItemInput("Flyers", timezone.localdate(), 1000, receipt=upload)],
    )
    item = expense.items.get()
    assert item.receipt_name == "x.png" and item.receipt_content_type == "image/png"
    client.force_login(world.collective_admin)
    res = client.get(f"/{expense.collective.slug}/expenses/{expense.public_id}/receipts/{item.public_id}")
    assert res.status_code == 200
    assert res["Content-Type"] == "image/png"
    assert res["X-Content-Type-Options"] == "nosniff"
    disposition = res["Content-Disposition"]
    assert disposition.startswith("attachment") and 'filename="x.png"' in disposition and "html" not in disposition


def test_a_name_stored_before_the_fix_is_corrected_on_download(world, client):
    upload = SimpleUploadedFile("scan.png", tiny_png(), content_type="image/png")
    expense = submit(
        world.collective,
        world.submitter,
        items=[services.ItemInput("Flyers", timezone.localdate(), 1000, receipt=upload)],
    )
    item = expense.items.get()
    type(item).objects.filter(pk=item.pk).update(receipt_name="old.html")
    client.force_login(world.submitter)
    res = client.get(f"/{expense.collective.slug}/expenses/{expense.public_id}/receipts/{item.public_id}")
    assert 'filename="old.png"' in res["Content-Disposition"]


@pytest.mark.parametrize(
    ("uploaded", "mime", "expected"),
    [
        ("invoice.pdf", "application/pdf", "invoice.pdf"),
        ("x.html", "image/png", "x.png"),
        ("photo.JPG.svg", "image/jpeg", "photo_JPG.jpg"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\me\\scan.png.exe", "image/png", "scan_png.png"),
        ('"; filename=evil.html', "image/png", "filename_evil.png"),
        (".html", "image/png", "receipt.png"),
        ("", "application/pdf", "receipt.pdf"),
        ("facture été.pdf", "application/pdf", "facture été.pdf"),
    ],
)
def test_download_names(uploaded, mime, expected):
    assert receipt_download_name(uploaded, mime) == expected
