"""The streaming exports write exactly what the exports wrote before issue 15 (tests/transparency/
export_oracle.py keeps a frozen copy), on the seeded demo, in English and French: every collective's CSV
and JSON (with and without filters) and the host's general ledger (whole and for a date range)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import translation

from opencity.hosting.models import Collective, Host
from opencity.ledger.models import Transfer
from opencity.transparency.selectors import statement_account_or_none
from tests.conftest import enable_2fa
from tests.transparency import export_oracle as oracle


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_exports_equal_the_old_exports_on_the_demo(client):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    host = Host.objects.get(profile__slug="brusselstogether")
    collectives = list(Collective.objects.filter(host=host, status="active"))
    assert len(collectives) > 3 and Transfer.objects.count() > 50
    dates = sorted(set(Transfer.objects.values_list("effective_date", flat=True)))
    middle = dates[len(dates) // 2]
    client.force_login(enable_2fa(host.admins.first()))
    compared = 0
    for lang in ("en", "fr"):
        headers = {"HTTP_ACCEPT_LANGUAGE": lang}
        prefix = "" if lang == "en" else f"/{lang}"
        with translation.override(lang):
            for c in collectives:
                funds = statement_account_or_none(c)
                if funds is None:
                    continue
                for query, filters in (
                    ("", {}),
                    ("&kind=host_fee", {"kind": "host_fee"}),
                    (f"&from={middle.isoformat()}", {"date_from": middle}),
                    (f"&to={middle.isoformat()}", {"date_to": middle}),
                ):
                    want_csv = oracle.statement_csv(funds, **filters)
                    assert _body(client.get(f"{prefix}/{c.slug}/transactions?format=csv{query}", **headers)) == want_csv
                    want_json = oracle.statement_json(funds, **filters)
                    assert (
                        _body(client.get(f"{prefix}/{c.slug}/transactions?format=json{query}", **headers)) == want_json
                    )
                    compared += want_csv.count("\n") - 1
            url = f"{prefix}/{host.slug}/admin/ledger/general-ledger.csv"
            assert _body(client.get(url, **headers)) == oracle.general_ledger_csv(host)
            ranged = oracle.general_ledger_csv(host, date_from=middle, date_to=middle + dt.timedelta(days=40))
            got = _body(client.get(f"{url}?date_from={middle}&date_to={middle + dt.timedelta(days=40)}", **headers))
            assert got == ranged and ranged.count("\n") > 2
    assert compared > 100
