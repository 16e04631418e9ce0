"""An event's cover, logo and accent colour: uploaded by its organisers, checked by their bytes (never SVG,
never a file that only claims to be an image), stripped of metadata, stored under the data dir, served from
a content-hashed URL, and shown on the event page (the colour through a style sheet, not an inline style)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.events import branding
from opencity.events.models import Event
from tests.conftest import make_user
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (2400, 900), (20, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (50.0, 50.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    assert b"SpyCam" in out.getvalue()
    return out.getvalue()


def png_bytes(size=(300, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def upload(name, data, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type)


def url(event, tail=""):
    return f"/{event.collective.slug}/events/{event.slug}/{tail}"


def test_organiser_uploads_cover_and_logo_and_the_page_shows_them(client, collective, settings):
    event = make_event(collective)
    client.force_login(collective.admins.first())
    r = client.post(
        url(event, "look"),
        {
            "cover": upload("photo.jpg", jpeg_with_gps(), "image/jpeg"),
            "logo": upload("logo.png", png_bytes()),
            "accent_color": "#1a4d8f",
        },
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.cover.name.startswith("events/cover-") and event.logo.name.startswith("events/logo-")
    assert (settings.MEDIA_ROOT / event.cover.name).exists()  # under the data dir, not in static files
    assert event.accent_colour == "#1a4d8f"

    client.logout()
    page = client.get(url(event)).content.decode()
    assert f'src="{event.cover_url}"' in page and f'src="{event.logo_url}"' in page
    assert "style=" not in page.split("<main", 1)[-1]  # the accent comes from a style sheet (CSP)
    theme = url(event, "theme.css")
    assert theme in page
    assert "#1a4d8f" in client.get(theme).content.decode()

    served = client.get(event.cover_url)
    body = b"".join(served.streaming_content)
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert b"SpyCam" not in body and b"Exif" not in body
    with Image.open(io.BytesIO(body)) as img:
        assert img.width <= 1600 and not img.getexif()
    logo = client.get(event.logo_url)
    assert logo["Content-Type"] == "image/png" and b"".join(logo.streaming_content).startswith(b"\x89PNG")
    assert client.get(url(event, "images/not-ours.png")).status_code == 404


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("logo.svg", SVG, "image_type"),
        ("logo.png", SVG, "image_type"),  # an SVG that claims to be a PNG
        ("logo.png", b"just some text, named like an image", "image_type"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image_type"),  # a PNG header, no image
        ("logo.pdf", b"%PDF-1.4\n%%EOF", "image_type"),
    ],
)
def test_bad_files_are_refused_and_nothing_changes(collective, name, data, code):
    event = make_event(collective)
    with pytest.raises(ValidationFailed) as exc:
        branding.event_set_look(event=event, by=collective.admins.first(), logo=upload(name, data))
    assert exc.value.code == code and exc.value.field == "logo"
    event.refresh_from_db()
    assert not event.logo


def test_too_large_is_refused(collective):
    event = make_event(collective)
    big = upload("big.png", png_bytes())
    big.size = 9 * 1024 * 1024
    with pytest.raises(ValidationFailed) as exc:
        branding.event_set_look(event=event, by=collective.admins.first(), cover=big)
    assert exc.value.code == "image_too_large"


def test_bad_file_on_the_page_is_a_clear_error(client, collective):
    event = make_event(collective)
    client.force_login(collective.admins.first())
    r = client.post(url(event, "look"), {"cover": upload("x.svg", SVG, "image/svg+xml"), "accent_color": "#1a4d8f"})
    assert r.status_code == 400 and "Use a JPEG, PNG, WebP or GIF image." in r.content.decode()
    event.refresh_from_db()
    assert not event.cover and event.accent_colour == ""


def test_too_light_accent_is_refused(collective):
    event = make_event(collective)
    with pytest.raises(ValidationFailed) as exc:
        branding.event_set_look(event=event, by=collective.admins.first(), accent_colour="#ffff66")
    assert exc.value.field == "accent_colour"


def test_only_the_organisers_change_the_look(client, collective):
    event = make_event(collective)
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        branding.event_set_look(event=event, by=stranger, logo=upload("l.png", png_bytes()))
    client.force_login(stranger)
    assert client.post(url(event, "look"), {"logo": upload("l.png", png_bytes())}).status_code == 404
    event.refresh_from_db()
    assert not event.logo


def test_cover_and_logo_on_the_new_event_form_go_to_every_date_of_a_series(client, collective):
    client.force_login(collective.admins.first())
    r = client.post(
        f"/{collective.slug}/events/new",
        {
            "title": "Monthly meetup",
            "starts_at": "2027-01-06T19:00",
            "ends_at": "2027-01-06T21:00",
            "repeat": "FREQ=MONTHLY;BYDAY=1WE",
            "count": "3",
            "ticket_name": "Registration",
            "ticket_price": "0",
            "ticket_quantity": "30",
            "ticket_max_per_order": "2",
            "cover": upload("c.jpg", jpeg_with_gps(), "image/jpeg"),
            "logo": upload("l.png", png_bytes()),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    dates = Event.objects.filter(collective=collective, title="Monthly meetup")
    assert dates.count() == 3 and all(e.cover and e.logo for e in dates)
    assert len({e.cover.name for e in dates}) == 3  # each date owns its file: removing one keeps the others


def test_bad_cover_on_the_new_event_form_creates_nothing(client, collective):
    client.force_login(collective.admins.first())
    r = client.post(
        f"/{collective.slug}/events/new",
        {
            "title": "Dinner",
            "starts_at": "2027-01-06T19:00",
            "ends_at": "2027-01-06T21:00",
            "ticket_name": "Seat",
            "ticket_price": "12,50",
            "ticket_quantity": "30",
            "ticket_max_per_order": "2",
            "cover": upload("c.png", SVG),
        },
    )
    assert r.status_code == 400
    assert not Event.objects.filter(collective=collective, title="Dinner").exists()
