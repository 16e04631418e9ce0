"""`/<host>/insights`: "View Source" across collectives, as a page (charts + tables) and CSV."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from opencity.hosting import selectors as hosting_selectors
from opencity.hosting.models import Category, Commune
from opencity.transparency import insights
from opencity.transparency.insight_charts import range_svg


def _labels(host) -> tuple[dict, dict]:
    from opencity.expenses.models import BuiltinCategory
    from opencity.expenses.selectors import host_category_map

    expense = {k: str(v) for k, v in BuiltinCategory.choices} | dict(host_category_map(host))
    return expense, {k: str(v) for k, v in Category.choices}


def labelled(host, data: dict) -> dict:
    expense_labels, collective_labels = _labels(host)
    for row in data["spending"]["rows"]:
        row["label"] = expense_labels.get(row["category"], row["category"])
    for section in ("raising", "events", "sponsors"):
        for row in data[section]["rows"]:
            every = row["category"] == insights.ALL
            row["label"] = (
                _("Every kind together") if every else collective_labels.get(row["category"], row["category"])
            )
    return data


def insights_page(request, slug: str):
    host = hosting_selectors.host_by_slug(slug)
    if host is None:
        raise Http404
    filters = insights.insight_filters(request.GET)
    data = labelled(host, insights.host_insights(host, **filters))
    if request.GET.get("format") == "csv":
        return _csv(host, data)
    currency = host.currency
    raising_rows = [{"label": r["label"], **r["raised"]} for r in data["raising"]["rows"]]
    sponsor_rows = [{"label": r["label"], **r["gift"]} for r in data["sponsors"]["rows"]]
    return render(
        request,
        "transparency/insights.html",
        {
            "host": host,
            "collective": host.profile,
            "data": data,
            "filters": filters,
            "categories": Category.choices,
            "communes": Commune.choices,
            "periods": [("3m", _("last 3 months")), ("12m", _("last 12 months")), ("all", _("all time"))],
            "charts": {
                name: range_svg(rows, currency, label_key="label", title=title, table_id=f"{name}-table")
                for name, rows, title in (
                    ("spending", data["spending"]["rows"], _("Spending per collective by expense category")),
                    ("raising", raising_rows, _("Raised per collective")),
                    ("events", data["events"]["rows"], _("Cost per attendee of past events, by kind of collective")),
                    ("sponsors", sponsor_rows, _("What one sponsor gave, by kind of collective")),
                )
            },
            "csv_query": request.GET.urlencode(),
        },
    )


def _csv(host, data: dict) -> HttpResponse:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "group", "collectives", "measure", "median", "min", "max", "currency"])
    for r in data["spending"]["rows"]:
        w.writerow(
            ["spending", r["category"], r["collectives"], "spent", r["median"], r["min"], r["max"], host.currency]
        )
        if r["per_event"]:
            e = r["per_event"]
            w.writerow(
                [
                    "spending",
                    r["category"],
                    e["collectives"],
                    "spent_per_event",
                    e["median"],
                    e["min"],
                    e["max"],
                    host.currency,
                ]
            )
    for r in data["raising"]["rows"]:
        for measure in ("raised", "monthly_recurring", "typical_gift", "membership_share_percent"):
            m = r[measure]
            if m is None:
                continue
            unit = "%" if measure == "membership_share_percent" else host.currency
            w.writerow(["raising", r["category"], m["collectives"], measure, m["median"], m["min"], m["max"], unit])
    for r in data["events"]["rows"]:
        w.writerow(
            [
                "events",
                r["category"],
                r["collectives"],
                "cost_per_attendee",
                r["median"],
                r["min"],
                r["max"],
                host.currency,
            ]
        )
    for r in data["sponsors"]["rows"]:
        for measure in ("gift", "per_collective"):
            m = r[measure]
            w.writerow(
                ["sponsors", r["category"], m["collectives"], measure, m["median"], m["min"], m["max"], host.currency]
            )
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{host.profile.slug}-insights.csv"'
    return response
