"""Issue 10: a collective looks like itself — logo and cover checked by content, resized and stripped of their
metadata, served with cache headers, shown on its page, in the directory and in link previews; an accent
colour checked for contrast."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from opencity.core.errors import ValidationFailed
from opencity.hosting import branding
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _jpeg_with_gps(width=3000, height=2000) -> bytes:
    img = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (50.0, 50.0, 0.0)}  # GPS
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert b"SecretCam" in data
    return data


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_cover_is_resized_and_stripped_and_served_with_cache_headers(client, collective, collective_admin):
    client.force_login(collective_admin)
    res = client.post(
        f"/{collective.slug}/edit/look",
        {"cover": _upload(_jpeg_with_gps(), "holiday.jpg"), "accent_color": "#0b6e4f"},
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    collective.refresh_from_db()
    stored = collective.cover.open("rb").read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and img.width <= 1600 and img.height <= 600
        assert not img.getexif()
    client.logout()
    image = client.get(collective.cover_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert "max-age=31536000" in image["Cache-Control"] and "immutable" in image["Cache-Control"]
    page = client.get(f"/{collective.slug}/").content.decode()
    assert f'src="{collective.cover_url}"' in page
    assert f'<meta property="og:image" content="http://testserver{collective.cover_url}">' in page.replace(
        "http://127.0.0.1:8000", "http://testserver"
    )


def test_logo_shows_in_the_directory(client, collective, collective_admin):
    client.force_login(collective_admin)
    png = io.BytesIO()
    Image.new("RGBA", (900, 600), (10, 120, 80, 255)).save(png, format="PNG")
    res = client.post(f"/{collective.slug}/edit/look", {"logo": _upload(png.getvalue(), "logo.png")})
    assert res.status_code == 302
    collective.refresh_from_db()
    with Image.open(collective.logo.open("rb")) as img:
        assert img.format == "PNG" and max(img.size) <= 400
    assert f'src="{collective.logo_url}"' in client.get("/collectives/").content.decode()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(client, collective, collective_admin):
    client.force_login(collective_admin)
    fake = _upload(b"<script>alert(1)</script>" * 20, "logo.png")
    res = client.post(f"/{collective.slug}/edit/look", {"logo": fake, "accent_color": "#0b6e4f"})
    assert res.status_code == 400 and "JPEG, PNG, WebP or GIF" in res.content.decode()
    collective.refresh_from_db()
    assert not collective.logo


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,  # a PNG header, no image
        b"%PDF-1.4\n%%EOF",
    ],
)
def test_a_collective_logo_is_judged_by_its_bytes_as_an_event_s_is(collective, collective_admin, data):
    with pytest.raises(ValidationFailed) as exc:
        branding.collective_set_look(collective=collective, by=collective_admin, logo=_upload(data, "logo.png"))
    assert (exc.value.code, exc.value.field) == ("image_type", "logo")
    collective.refresh_from_db()
    assert not collective.logo


def test_accent_colour_needs_contrast(client, collective, collective_admin):
    with pytest.raises(ValidationFailed) as exc:
        branding.clean_accent("#ffee00")  # yellow: white text would be unreadable
    assert exc.value.code == "low_contrast"
    with pytest.raises(ValidationFailed):
        branding.clean_accent("red")
    assert branding.clean_accent("#1A4D8F") == "#1a4d8f"
    client.force_login(collective_admin)
    bad = client.post(f"/{collective.slug}/edit/look", {"accent_color": "#ffee00"})
    assert bad.status_code == 400 and "4.5:1" in bad.content.decode()
    ok = client.post(f"/{collective.slug}/edit/look", {"accent_color": "#1a4d8f"})
    assert ok.status_code == 302
    page = client.get(f"/{collective.slug}/").content.decode()
    assert f"/{collective.slug}/theme.css?v=1a4d8f" in page
    css = client.get(f"/{collective.slug}/theme.css").content.decode()
    assert "--accent: #1a4d8f" in css


def test_only_its_admins_change_the_look(client, collective):
    client.force_login(make_user())
    assert client.get(f"/{collective.slug}/edit/look").status_code == 404
    assert client.post(f"/{collective.slug}/edit/look", {"accent_color": "#1a4d8f"}).status_code == 404


def test_texts_in_several_languages_with_fallback_and_also_in(client, collective, collective_admin):
    collective.languages = ["en"]
    collective.description = "Fixing things together"
    collective.save(update_fields=["languages", "description"])
    client.force_login(collective_admin)
    res = client.post(
        f"/{collective.slug}/edit/translations",
        {"fr-name": "Café Réparation", "fr-description": "Réparer ensemble", "ar-description": "نصلح معًا"},
    )
    assert res.status_code == 302
    client.logout()
    fr = client.get(f"/fr/{collective.slug}/").content.decode()
    assert '<h1 dir="auto" lang="fr">Café Réparation</h1>' in fr and "Réparer ensemble" in fr
    assert f'href="/{collective.slug}/" lang="en"' in fr and f'href="/ar/{collective.slug}/" lang="ar"' in fr
    ar = client.get(f"/ar/{collective.slug}/").content.decode()
    assert "نصلح معًا" in ar and f'<h1 dir="auto" lang="ar">{collective.name}</h1>' in ar  # name falls back
    nl = client.get(f"/nl/{collective.slug}/").content.decode()
    assert "Fixing things together" in nl and 'lang="en"' in nl  # no Dutch: the original, marked as English
    assert f'href="/nl/{collective.slug}/"' not in nl.split('class="also-in"')[1].split("</p>")[0]
    assert "Réparer ensemble" in client.get("/fr/collectives/").content.decode()  # the directory too
    client.force_login(collective_admin)
    too_long = client.post(f"/{collective.slug}/edit/translations", {"fr-name": "x" * 500})
    assert too_long.status_code == 400
