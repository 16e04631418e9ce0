"""A range chart drawn on the server: per row, a bar from the lowest to the highest value and a dot at
the median. Each shape has a <title>; the table beside it says the same in text."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi, gettext

from opencity.money import Money, format_money

WIDTH, ROW, PAD = 420, 44, 8  # narrow enough that its text stays legible when a phone shrinks it


def range_svg(rows: list[dict], currency: str, *, label_key: str, title: str, table_id: str) -> SafeString:
    """`rows`: dicts with `label_key` (text), `min`, `median`, `max` (minor units). Each row: its label on a line
    of its own, then the bar under it across the whole width (mirrored in a right-to-left language)."""
    if not rows:
        return SafeString("")
    peak = max(r["max"] for r in rows) or 1
    plot = WIDTH - 2 * PAD
    rtl = get_language_bidi()
    shapes = []
    for i, r in enumerate(rows):
        y = 6 + i * ROW

        def x(v, _plot=plot):
            pos = _plot * v / peak
            return round((WIDTH - PAD - pos) if rtl else (PAD + pos), 1)

        lo, hi, mid = x(r["min"]), x(r["max"]), x(r["median"])
        tip = gettext("%(label)s: median %(median)s, from %(min)s to %(max)s") % {
            "label": r[label_key],
            "median": format_money(Money(r["median"], currency)),
            "min": format_money(Money(r["min"], currency)),
            "max": format_money(Money(r["max"], currency)),
        }
        shapes.append(
            format_html(
                '<g><title>{}</title><text x="{}" y="{}" font-size="14" fill="#333" direction="{}" text-anchor="start">{} · {}</text>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d0d7de"></line>'
                '<rect x="{}" y="{}" width="{}" height="10" rx="2" fill="#90caf9"></rect>'
                '<circle cx="{}" cy="{}" r="6" fill="#0d47a1"></circle></g>',
                tip,
                (WIDTH - PAD) if rtl else PAD,
                y + 14,
                "rtl" if rtl else "ltr",  # "start" is the right edge in a right-to-left text
                r[label_key],
                format_money(Money(r["median"], currency)),
                PAD,
                WIDTH - PAD,
                y + 28,
                y + 28,
                min(lo, hi),
                y + 23,
                max(2, abs(hi - lo)),
                mid,
                y + 28,
            )
        )
    height = 12 + len(rows) * ROW
    return format_html(
        '<svg class="range-chart" role="img" aria-label="{}" aria-describedby="{}" viewBox="0 0 {} {}" '
        'width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        title,
        table_id,
        WIDTH,
        height,
        WIDTH,
        height,
        format_html_join("", "{}", ((s,) for s in shapes)),
    )
