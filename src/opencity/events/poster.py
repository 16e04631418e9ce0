"""Printable posters (A4/A3, fpdf2): title, date, place, the collective, and a QR code to the event page,
in the chosen language; Arabic is shaped right to left with the receipts' DejaVu + uharfbuzz set-up."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from opencity.contributions.receipts import FONT_BOLD_CANDIDATES, FONT_CANDIDATES
from opencity.events.ics import event_url

SIZES = {"A4": (210, 297), "A3": (297, 420)}


def _fonts(pdf: FPDF) -> str:
    from pathlib import Path

    regular = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    bold = next((p for p in FONT_BOLD_CANDIDATES if Path(p).exists()), None)
    if regular is None:
        return "Helvetica"
    pdf.add_font("Body", "", regular)
    pdf.add_font("Body", "B", bold or regular)
    try:
        # Shaped and ordered line by line (Unicode bidi): Arabic joins and reads right to left in any poster,
        # while a URL or a time stays left to right inside an Arabic one.
        pdf.set_text_shaping(use_shaping_engine=True)
    except Exception:  # noqa: BLE001, S110 - uharfbuzz missing: letters stay unjoined but readable
        pass
    return "Body"


def _logo_bytes(*fields) -> bytes | None:
    """The first image that is set and still on disk (the event's logo, else its collective's)."""
    for field in fields:
        if field:
            try:
                with field.storage.open(field.name, "rb") as f:
                    return f.read()
            except OSError:
                continue
    return None


def _poster(
    *,
    size: str,
    language: str,
    over: str,
    title: str,
    lines: list[str],
    url: str,
    call: str,
    logo: bytes | None = None,
) -> bytes:
    language = language if language in dict(settings.LANGUAGES) else "en"
    width, height = SIZES.get(size, SIZES["A4"])
    k = width / 210  # everything scales with the paper
    with translation.override(language):
        pdf = FPDF(format=size if size in SIZES else "A4")
        pdf.set_margins(18 * k, 18 * k, 18 * k)
        pdf.set_auto_page_break(False)
        pdf.add_page()
        family = _fonts(pdf)
        align = "R" if translation.get_language_bidi() else "L"
        if logo:
            side = 32 * k  # the logo heads the poster, on the side the text starts from
            x = width - 18 * k - side if align == "R" else 18 * k
            pdf.image(io.BytesIO(logo), x=x, y=14 * k, w=side, h=side, keep_aspect_ratio=True)
            pdf.set_y(14 * k + side + 6 * k)
        pdf.set_font(family, "", 16 * k)
        pdf.multi_cell(0, 9 * k, over, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6 * k)
        pdf.set_font(family, "B", 36 * k)
        pdf.multi_cell(0, 16 * k, title, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8 * k)
        for n, line in enumerate(lines):
            pdf.set_font(family, "B" if n == 0 else "", (20 if n == 0 else 18) * k)
            pdf.multi_cell(0, 11 * k, line, align=align, new_x="LMARGIN", new_y="NEXT")
        qr = io.BytesIO()
        segno.make(url, error="m").save(qr, kind="png", scale=10, border=2)
        side = 80 * k
        pdf.image(qr, x=(width - side) / 2, y=height - side - 45 * k, w=side, h=side)
        pdf.set_y(height - 40 * k)
        pdf.set_font(family, "", 14 * k)
        pdf.multi_cell(0, 8 * k, call, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10 * k)
        pdf.multi_cell(0, 6 * k, url, align="C", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def event_poster_pdf(event, *, size: str = "A4", language: str = "en") -> bytes:
    """An event's poster: its collective, title, date and time (Brussels), place, and a QR code to its page."""
    local = event.starts_at.astimezone(ZoneInfo("Europe/Brussels"))
    end = event.ends_at.astimezone(ZoneInfo("Europe/Brussels"))
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        when = f"{formats.date_format(local, 'DATE_FORMAT')} · {local:%H:%M}–{end:%H:%M}"
        call = _("Scan to register and see what this event costs.")
    where = ", ".join(x for x in (event.venue_name, event.venue_address) if x)
    return _poster(
        size=size,
        language=language,
        over=event.collective.name,
        title=event.title,
        lines=[when] + ([where] if where else []),
        url=event_url(event),
        call=call,
        logo=_logo_bytes(event.logo, event.collective.logo),
    )


def collective_poster_pdf(collective, *, size: str = "A4", language: str = "en") -> bytes:
    """A collective's poster: its name and purpose, and a QR code to its contribute page."""
    from django.urls import reverse

    url = settings.SITE_URL + reverse("contributions:checkout", args=[collective.slug])
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        call = _("Scan to support us: every euro in and out is public.")
    return _poster(
        size=size,
        language=language,
        over=collective.host.name,
        title=collective.name,
        lines=[collective.description] if collective.description else [],
        url=url,
        call=call,
        logo=_logo_bytes(collective.logo),
    )
