"""Posters rendered, not just parsed: pymupdf draws each page, we read back its text (title, the date in the
poster's language, Arabic joined and right to left), decode its QR code, and find the logo where it belongs."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pymupdf
import pytest
import zxingcpp
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from opencity.events import branding, services
from opencity.events.ics import event_url
from opencity.events.poster import collective_poster_pdf, event_poster_pdf

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
MONTH = {"en": "March", "fr": "mars", "nl": "maart", "ar": "مارس"}


def png(colour=(200, 0, 0), size=(120, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def event(collective):
    start = dt.datetime(2027, 3, 3, 19, 0, tzinfo=BRUSSELS)
    return services.event_create(
        collective=collective,
        by=collective.admins.first(),
        title="Café réparation — مقهى الإصلاح",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue_name="Maison de quartier",
        venue_address="Rue Haute 1, 1000 Bruxelles",
    )


def render(pdf: bytes):
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    assert doc.page_count == 1
    page = doc[0]
    pix = page.get_pixmap(dpi=110)
    return page, Image.open(io.BytesIO(pix.tobytes("png"))).convert("RGB"), pix.width / page.rect.width


def spans(page) -> list[dict]:
    return [s for b in page.get_text("dict")["blocks"] for line in b.get("lines", []) for s in line["spans"]]


@pytest.mark.parametrize("language", ["en", "fr", "nl", "ar"])
def test_event_poster_text_date_and_qr(event, language):
    page, image, _scale = render(event_poster_pdf(event, size="A4", language=language))
    text = page.get_text()
    # Arabic comes back in reading order only if it was laid out right to left (unshaped it reads backwards).
    assert "Café réparation" in text and "مقهى" in text
    assert MONTH[language] in text and "19:00" in text and "21:00" in text
    assert "Maison de quartier" in text and event.collective.name in text
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == [event_url(event)]


def test_arabic_poster_is_right_aligned_and_english_left(event):
    def title_span(language):
        page, _img, _s = render(event_poster_pdf(event, size="A4", language=language))
        span = next(s for s in spans(page) if "مقهى" in s["text"] or "Café" in s["text"])
        return page, span

    page, ar = title_span("ar")
    assert page.rect.width - ar["bbox"][2] < 60  # ends at the right margin
    page, en = title_span("en")
    assert en["bbox"][0] < 60  # starts at the left margin


@pytest.mark.parametrize("size,width_mm", [("A4", 210), ("A3", 297)])
def test_poster_paper_sizes(event, size, width_mm):
    page, image, _s = render(event_poster_pdf(event, size=size, language="fr"))
    assert round(page.rect.width / 72 * 25.4) == width_mm
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [event_url(event)]


def _red_pixels(image, box) -> int:
    region = image.crop(tuple(int(v) for v in box))
    return sum(1 for r, g, b in region.getdata() if r > 150 and g < 80 and b < 80)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_event_poster_shows_the_event_logo_on_the_reading_side(event, language):
    branding.event_set_look(
        event=event, by=event.collective.admins.first(), logo=SimpleUploadedFile("l.png", png(), "image/png")
    )
    event.refresh_from_db()
    page, image, scale = render(event_poster_pdf(event, size="A4", language=language))
    assert len(page.get_images()) == 2  # the logo and the QR code
    half = image.width / 2
    left, right = (0, 0, half, 200 * scale), (half, 0, image.width, 200 * scale)
    start, other = (right, left) if language == "ar" else (left, right)
    assert _red_pixels(image, start) > 1000 and _red_pixels(image, other) == 0


def test_event_poster_falls_back_to_the_collective_logo(event):
    from opencity.hosting.branding import collective_set_look

    collective_set_look(
        collective=event.collective,
        by=event.collective.admins.first(),
        logo=SimpleUploadedFile("l.png", png(), "image/png"),
    )
    event.refresh_from_db()
    page, image, scale = render(event_poster_pdf(event, size="A4", language="en"))
    assert _red_pixels(image, (0, 0, image.width, 200 * scale)) > 1000


def test_collective_poster_points_to_its_contribute_page(collective):
    from django.urls import reverse

    page, image, _s = render(collective_poster_pdf(collective, size="A3", language="nl"))
    url = settings.SITE_URL + reverse("contributions:checkout", args=[collective.slug])
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [url]
    text = page.get_text()
    assert collective.name in text and collective.host.name in text
    assert "Scan to register" not in text  # its own call to action, in Dutch
