"""The money chart reads the way the page reads: in Arabic the oldest month is on the right."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import dateformat, translation

from opencity.transparency.charts import flows_svg, month_label
from opencity.transparency.selectors import collective_monthly_flows
from tests.expenses.conftest import enable_2fa, fund

LABEL = re.compile(r'<text class="chart-label" x="([\d.]+)"[^>]*>([^<]+)</text>')
BAR = re.compile(r'<rect class="chart-(in|out)"[^>]* x="([\d.]+)"')


def _flows():
    return [{"month": dt.date(2026, m, 1), "money_in": 100 * m, "money_out": 50 * m} for m in range(1, 13)]


def _label_xs(lang):
    with translation.override(lang):
        svg = str(flows_svg(_flows(), "EUR", chart_id="t"))
        expected = [month_label(f["month"]) for f in _flows()]  # oldest first
    xs = {text: float(x) for x, text in LABEL.findall(svg)}
    assert len(xs) == 12
    return [xs[label] for label in expected], [(css, float(x)) for css, x in BAR.findall(svg)]


def test_months_run_left_to_right_in_english():
    xs, bars = _label_xs("en")
    assert xs == sorted(xs)
    assert bars[0][0] == "in" and bars[0][1] < bars[1][1]  # January's "in" bar left of its "out" bar


def test_months_run_right_to_left_in_arabic():
    xs, bars = _label_xs("ar")
    assert xs == sorted(xs, reverse=True)  # oldest month on the right, newest on the left
    in_x = dict(bars[0:2])  # the first month's pair
    assert in_x["in"] > in_x["out"]  # "in" comes first in reading order: on the right


@pytest.mark.django_db
def test_table_alternative_is_oldest_first_in_arabic_too(collective):
    enable_2fa(collective.host.admins.first())
    fund(collective, 5000)  # issue 10: a collective with no money moved shows an empty state, not a chart
    with translation.override("ar"):
        html = Template("{% load transparency_tags %}{% collective_money_summary c %}").render(
            Context({"c": collective})
        )
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    months = re.findall(r'<th scope="row">([^<]+)</th>', table)
    with translation.override("ar"):
        expected = [dateformat.format(f["month"], "F Y") for f in collective_monthly_flows(collective)]
    assert months == expected and len(months) == 12  # oldest first, top to bottom, as the chart reads
    svg = html[html.index("<svg") : html.index("</svg>")]
    xs = [float(x) for x, _ in LABEL.findall(svg)]  # labels emitted oldest first
    assert xs == sorted(xs, reverse=True)


@pytest.mark.django_db
def test_a_collective_with_no_money_moved_shows_a_friendly_empty_state(collective):
    html = Template("{% load transparency_tags %}{% collective_money_summary c %}").render(Context({"c": collective}))
    assert "<svg" not in html and "No money has moved yet." in html
    assert f"/{collective.slug}/contribute" in html
