"""Host admin pages: added funds by form, reversal with a reason, accountant exports that tie out."""

import csv
import datetime as dt
import io
from collections import defaultdict

import pytest
from django.utils import timezone

from opencity.ledger import selectors
from opencity.ledger import services as ledger
from opencity.ledger.models import Journal
from tests.conftest import enable_2fa, make_collective
from tests.ledger.helpers import contribute, spend


def _body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.django_db
def test_host_books_need_login_and_host_admin(client, host, collective_admin):
    url = f"/{host.slug}/admin/ledger"
    r = client.get(url)
    assert r.status_code == 302 and "/accounts/login" in r["Location"]
    client.force_login(collective_admin)
    for path in ("", "/general-ledger.csv", "/balances"):
        assert client.get(url + path).status_code == 403
    assert client.post(url + "/added-funds", {}).status_code == 403
    assert client.get("/no-such-host/admin/ledger").status_code in (403, 404)


@pytest.mark.django_db
def test_record_and_reverse_added_funds_by_form(client, collective, host_admin, check_ledger):
    host = collective.host
    client.force_login(host_admin)
    page = client.get(f"/{host.slug}/admin/ledger")
    assert page.status_code == 200
    token = page.context["form"]["token"].value()
    data = {
        "collective": collective.slug,
        "amount": "250,50",
        "source": "Fondation Roi Baudouin",
        "description": "Neighbourhood grant",
        "date": timezone.localdate().isoformat(),
        "charge_host_fee": "on",
        "token": token,
    }
    r = client.post(f"/{host.slug}/admin/ledger/added-funds", data)
    assert r.status_code == 302
    client.post(f"/{host.slug}/admin/ledger/added-funds", data)  # double submit
    journal = Journal.objects.get(kind="added_funds")
    assert ledger.funds_account(collective).balance == 25050 - 2004
    # Bad input: a clear message, nothing saved.
    r = client.post(f"/{host.slug}/admin/ledger/added-funds", {**data, "amount": "12.345", "token": "other"})
    assert r.status_code == 400 and Journal.objects.count() == 1
    # Reverse without a reason: refused; with a reason: done.
    client.post(f"/{host.slug}/admin/ledger/added-funds/{journal.public_id}/reverse", {"reason": ""})
    assert not Journal.objects.filter(reverses=journal).exists()
    client.post(f"/{host.slug}/admin/ledger/added-funds/{journal.public_id}/reverse", {"reason": "typo"})
    assert Journal.objects.get(reverses=journal).reason == "typo"
    assert ledger.funds_account(collective).balance == 0
    assert "typo" in client.get(f"/{host.slug}/admin/ledger").content.decode()
    check_ledger()


@pytest.mark.django_db
def test_general_ledger_and_balance_report_agree_and_tie_out(client, host, host_admin, check_ledger):
    a, b = make_collective(host), make_collective(host)
    today = timezone.localdate()
    contribute(a, 10000, fee=39, effective_date=today - dt.timedelta(days=100))
    contribute(b, 4000, processor="bank_transfer", effective_date=today - dt.timedelta(days=50))
    ledger.collective_transfer(
        from_collective=a,
        to_collective=b,
        amount=700,
        description="x",
        by=enable_2fa(a.admins.first()),
        effective_date=today - dt.timedelta(days=20),
    )
    spend(b, 1000)
    client.force_login(host_admin)

    # The general ledger from the beginning to a date, summed per account, equals the balance report at that date.
    for at in (today - dt.timedelta(days=30), today):
        gl = list(
            csv.DictReader(
                io.StringIO(_body(client.get(f"/{host.slug}/admin/ledger/general-ledger.csv?date_to={at.isoformat()}")))
            )
        )
        per_account = defaultdict(int)
        for row in gl:
            per_account[row["credit_account"]] += int(row["amount_minor"])
            per_account[row["debit_account"]] -= int(row["amount_minor"])
            assert row["journal"].startswith("jrn_") and row["date"] <= at.isoformat()
        report = list(
            csv.DictReader(
                io.StringIO(_body(client.get(f"/{host.slug}/admin/ledger/balances?at={at.isoformat()}&format=csv")))
            )
        )
        assert {r["account"]: int(r["balance_minor"]) for r in report} == {
            r["account"]: per_account.get(r["account"], 0) for r in report
        }
        assert sum(int(r["balance_minor"]) for r in report) == 0
    # Today, the report ties out to the cached balances.
    for row in selectors.balances_at(host, today):
        assert row["balance"] == row["cached_balance"]
    assert selectors.balances_at(host, today - dt.timedelta(days=30))[0]["balance"] is not None
    html = client.get(f"/{host.slug}/admin/ledger/balances").content.decode()
    assert a.name in html and "funds:" in html
    check_ledger()


@pytest.mark.django_db
def test_collective_admin_gives_by_form(client, host, check_ledger):
    giver, receiver = make_collective(host), make_collective(host)
    contribute(giver, 10000)
    url = f"/{giver.slug}/give"
    assert client.get(url).status_code == 302  # login first
    client.force_login(receiver.admins.first())
    assert client.get(url).status_code == 403
    client.force_login(enable_2fa(giver.admins.first()))  # gifts move money: two-factor (issue 8)
    page = client.get(url)
    assert page.status_code == 200 and receiver.slug in page.content.decode()
    assert giver.slug not in [c.slug for c in page.context["form"].fields["to"].queryset]
    data = {"to": receiver.slug, "amount": "20", "description": "tools", "token": "t1"}
    too_much = client.post(url, {**data, "amount": "93", "token": "t0"})
    assert too_much.status_code == 400 and "enough money" in too_much.content.decode()
    assert client.post(url, data).status_code == 302
    client.post(url, data)  # double submit
    assert ledger.funds_account(receiver).balance == 2000
    assert ledger.funds_account(giver).balance == 9200 - 2000
    assert "Give to another collective" in client.get(f"/{giver.slug}/transactions").content.decode()
    check_ledger()
