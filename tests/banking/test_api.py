"""The bank in the API: host admins only, JSON errors, upload idempotent, assign with two-factor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencity.banking.models import BankStatementLine
from tests.banking.conftest import IBAN, pending_transfer
from tests.banking.files import Line, camt053
from tests.banking.test_formats import XXE
from tests.conftest import enable_2fa, make_user, otp_header


@pytest.fixture
def admin_auth(host, api_token):
    return {"HTTP_AUTHORIZATION": api_token(host.admins.first())}


def test_contribution_api_returns_transfer_instructions(client, collective, bank_account, api_token):
    r = client.post(
        f"/api/v1/collectives/{collective.slug}/contributions",
        {"amount": 1500, "payment_method": "bank_transfer", "email": "api@example.org", "name": "Api"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    info = r.json()["instructions"]
    assert info["iban"] == IBAN and info["amount"] == {"value": 1500, "currency": "EUR"}
    assert info["communication"].startswith("+++") and info["qr_data_uri"].startswith("data:image/png;base64,")
    admin = collective.host.admins.first()
    detail = client.get(f"/api/v1/contributions/{r.json()['id']}", HTTP_AUTHORIZATION=api_token(admin)).json()
    assert detail["instructions"]["communication"] == info["communication"]


def test_upload_list_and_assign(client, host, collective, bank_account, admin_auth, check_ledger):
    c = pending_transfer(collective, amount=2000)
    data = camt053(iban=IBAN, lines=[Line(2000, c.communication), Line(9000, "sponsor", structured=False)])
    url = f"/api/v1/hosts/{host.slug}/bank/statements"
    r = client.post(url, {"file": SimpleUploadedFile("s.xml", data)}, **admin_auth)
    assert r.status_code == 403 and r.json()["code"] == "2fa_required"
    admin = enable_2fa(host.admins.first())
    r = client.post(url, {"file": SimpleUploadedFile("s.xml", data)}, **admin_auth, **otp_header(admin))
    assert r.status_code == 201, r.content
    assert (r.json()["new_lines"], r.json()["matched"]) == (2, 1)
    again = client.post(url, {"file": SimpleUploadedFile("s.xml", data)}, **admin_auth, **otp_header(admin)).json()
    assert (again["new_lines"], again["known_lines"], again["new_statements"]) == (0, 2, 0)
    page = client.get(url, **admin_auth).json()
    assert len(page["results"]) == 1 and page["results"][0]["lines"] == 2 and page["results"][0]["open_lines"] == 1
    st = page["results"][0]["id"]
    lines = client.get(f"{url}/{st}/lines", **admin_auth).json()["results"]
    assert {ln["state"] for ln in lines} == {"matched", "unmatched"}
    open_line = client.get(f"/api/v1/hosts/{host.slug}/bank/lines?state=unmatched", **admin_auth).json()["results"][0]
    assign = f"/api/v1/hosts/{host.slug}/bank/lines/{open_line['id']}/assign"
    body = {"action": "added_funds", "collective": collective.slug}
    ok = client.post(assign, body, content_type="application/json", **admin_auth, **otp_header(admin))
    assert ok.status_code == 200 and ok.json()["state"] == "assigned"
    twice = client.post(assign, body, content_type="application/json", **admin_auth, **otp_header(admin))
    assert twice.status_code == 409 and twice.json()["code"] == "line_not_open"
    rec = client.get(f"/api/v1/hosts/{host.slug}/bank/reconciliation", **admin_auth).json()
    assert rec[0]["reconciled"] is True
    check_ledger()


def test_bad_upload_is_a_4xx_with_code(client, host, bank_account, admin_auth):
    admin = enable_2fa(host.admins.first())
    r = client.post(
        f"/api/v1/hosts/{host.slug}/bank/statements",
        {"file": SimpleUploadedFile("x.xml", XXE)},
        **admin_auth,
        **otp_header(admin),
    )
    assert r.status_code == 400 and r.json()["code"] == "unsafe_xml"
    assert BankStatementLine.objects.count() == 0


def test_bank_api_is_private(client, host, bank_account, api_token):
    url = f"/api/v1/hosts/{host.slug}/bank/statements"
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=api_token(make_user())).status_code == 403
    assert (
        client.get("/api/v1/hosts/nope/bank/statements", HTTP_AUTHORIZATION=api_token(make_user())).status_code == 404
    )
