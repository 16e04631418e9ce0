"""Server-drawn SVG charts: readable without JavaScript, with a text alternative next to them."""

from __future__ import annotations

from babel.dates import format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_bidi, gettext, to_locale

from opencity.money import Money, format_money

COLOURS = {"in": "#2e7d32", "out": "#c62828"}
WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM, PAD_SIDE = 640, 220, 12, 28, 8


def month_label(month, fmt: str = "MMM") -> str:
    try:
        return format_date(month, fmt, locale=to_locale(get_language() or "en"))
    except Exception:  # noqa: BLE001 - unknown locale: English month names
        return format_date(month, fmt, locale="en")


def flows_svg(flows: list[dict], currency: str, *, chart_id: str) -> SafeString:
    """Paired bars (in, out) per month. `aria-describedby` points at the table that says the same in text."""
    peak = max([1] + [max(f["money_in"], f["money_out"]) for f in flows])
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = (WIDTH - 2 * PAD_SIDE) / max(1, len(flows))
    bar = slot * 0.36
    # Time runs the way the page reads: oldest month at the start, i.e. on the right in Arabic (rtl),
    # and each month's "in" bar before its "out" bar in the same direction.
    rtl = get_language_bidi()
    n = len(flows)
    bars = []
    for i, f in enumerate(flows):
        x0 = PAD_SIDE + ((n - 1 - i) if rtl else i) * slot + slot * 0.12
        label = month_label(f["month"], "MMMM y")
        pair = (("money_in", "in", gettext("in")), ("money_out", "out", gettext("out")))
        for j, (key, css, word) in enumerate(reversed(pair) if rtl else pair):
            h = round(plot_h * f[key] / peak, 1)
            y = PAD_TOP + plot_h - h
            title = f"{label}: {word} {format_money(Money(f[key], currency))}"
            bars.append((css, round(x0 + j * bar, 1), round(y, 1), round(bar - 1, 1), h, title))
        bars.append(("label", round(x0 + bar, 1), HEIGHT - 9, 0, 0, month_label(f["month"])))
    body = format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="11" fill="#555">{}</text>',
                    x,
                    y,
                    title,
                )
                if css == "label"
                else format_html(
                    '<rect class="chart-{}" fill="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                    css,
                    COLOURS[css],
                    x,
                    y,
                    w,
                    h,
                    title,
                ),
            )
            for css, x, y, w, h, title in bars
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" aria-describedby="{}-table" '
        'xmlns="http://www.w3.org/2000/svg" width="100%" dir="ltr"><title id="{}-title">{}</title>'
        '<line class="chart-axis" stroke="#999" x1="{}" x2="{}" y1="{}" y2="{}"/>{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        gettext("Money in and out per month, last 12 months"),
        PAD_SIDE,
        WIDTH - PAD_SIDE,
        HEIGHT - PAD_BOTTOM,
        HEIGHT - PAD_BOTTOM,
        body,
    )
