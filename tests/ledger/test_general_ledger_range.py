"""The general ledger is exported for a date range, and the host's books page says how many lines it will have."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from tests.conftest import make_collective
from tests.ledger.helpers import contribute


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_the_page_counts_the_lines_of_the_range_it_links_to(client, host, host_admin):
    a = make_collective(host)
    today = timezone.localdate()
    for days in (400, 40, 20, 0):
        contribute(a, 1000, fee=30, effective_date=today - dt.timedelta(days=days))
    client.force_login(host_admin)
    url = f"/{host.slug}/admin/ledger"
    start, end = today - dt.timedelta(days=45), today - dt.timedelta(days=10)
    page = client.get(f"{url}?date_from={start}&date_to={end}")
    assert page.status_code == 200 and page.context["range_lines"] == 6  # two journals of three lines
    html = page.content.decode()
    assert "has 6 lines" in html
    href = f"/{host.slug}/admin/ledger/general-ledger.csv?date_from={start}&amp;date_to={end}"
    assert href in html
    rows = list(csv.DictReader(io.StringIO(_body(client.get(href.replace("&amp;", "&"))))))
    assert len(rows) == 6 and all(start.isoformat() <= r["date"] <= end.isoformat() for r in rows)
    # By default: this year so far.
    assert client.get(url).context["range_lines"] == 3 * sum(
        1 for d in (400, 40, 20, 0) if (today - dt.timedelta(days=d)).year == today.year
    )
    # In French too.
    assert "a 6 lignes" in client.get(f"/fr{url}?date_from={start}&date_to={end}").content.decode()
    assert client.get(f"{url}?date_from=nonsense").context["range_lines"] is None
