"""The bank pages: who may see them, upload (good and bad files), the queue, reconciliation and its CSV."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencity.banking.models import BankStatementLine, LineState
from opencity.contributions.models import Contribution
from tests.banking.conftest import IBAN, pending_transfer
from tests.banking.files import Line, camt053, coda
from tests.banking.test_formats import LAUGHS, XXE
from tests.conftest import enable_2fa, make_user


def _url(name, host, **kw):
    return reverse(f"banking:{name}", kwargs={"slug": host.slug, **kw})


def test_checkout_by_bank_transfer_shows_qr_and_details(client, host, collective, bank_account):
    page = client.get(reverse("contributions:checkout", args=[collective.slug]))
    assert b'value="bank_transfer"' in page.content
    r = client.post(
        reverse("contributions:checkout", args=[collective.slug]),
        {
            "amount": "25",
            "payment_method": "bank_transfer",
            "email": "v@example.org",
            "name": "Visitor",
            "idempotency_token": "t1",
        },
    )
    assert r.status_code == 302
    thanks = client.get(r["Location"])
    html = thanks.content.decode()
    c = Contribution.objects.get()
    assert c.status == Contribution.Status.PENDING
    assert "data:image/png;base64," in html and "BE68 5390 0754 7034" in html
    assert c.payment_reference.communication[:3] in html and "+++" in html
    # Another browser with the link sees no instructions (they are the contributor's).
    other = client.__class__()
    assert "data:image/png" not in other.get(r["Location"]).content.decode()


def test_bank_pages_for_host_admins_only(client, host, bank_account):
    assert client.get(_url("index", host)).status_code == 302  # to the login page
    client.force_login(make_user())
    assert client.get(_url("index", host)).status_code == 403
    client.force_login(host.admins.first())
    for name in ("index", "unmatched"):
        assert client.get(_url(name, host)).status_code == 200
    assert client.get(_url("reconciliation", host, public_id=bank_account.public_id)).status_code == 200


def test_upload_matches_and_public_page_shows_the_contribution(client, host, collective, bank_account, check_ledger):
    c = pending_transfer(collective, amount=3000, name="Ana Public")
    admin = host.admins.first()
    client.force_login(admin)
    refused = client.post(_url("upload", host), {"file": SimpleUploadedFile("s.xml", b"<x/>")}, follow=True)
    assert "two-factor" in refused.content.decode()
    client.force_login(enable_2fa(admin))  # a session that passed the second factor just now
    f = SimpleUploadedFile("stmt.xml", camt053(iban=IBAN, lines=[Line(3000, c.communication)]))
    r = client.post(_url("upload", host), {"file": f}, follow=True)
    assert "1 new lines" in r.content.decode() or "1 matched" in r.content.decode()
    c.refresh_from_db()
    assert c.status == Contribution.Status.PAID
    public = client.get(reverse("profile", args=[collective.slug]))
    assert public.status_code == 200
    check_ledger()
    dashboard = client.get(reverse("host_admin", args=[host.slug]))
    assert "Reconciled" in dashboard.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        XXE,
        LAUGHS,
        b"<Document",
        b"0000030112" + b" " * 50,
        camt053(iban="BE71096123456769", lines=[Line(100, "x", structured=False)]),
        coda(iban=IBAN, lines=[Line(100, "x", structured=False)])[:-300],
    ],
)
def test_bad_upload_imports_nothing_with_a_message(client, host, bank_account, data):
    client.force_login(enable_2fa(host.admins.first()))
    r = client.post(_url("upload", host), {"file": SimpleUploadedFile("bad.xml", data)}, follow=True)
    assert r.status_code == 200
    assert BankStatementLine.objects.count() == 0
    assert 'class="msg error"' in r.content.decode()


def test_oversized_upload_refused(client, host, bank_account, settings):
    settings.BANK_STATEMENT_MAX_BYTES = 100
    client.force_login(enable_2fa(host.admins.first()))
    r = client.post(_url("upload", host), {"file": SimpleUploadedFile("big.xml", b"<" + b" " * 200)}, follow=True)
    assert "too large" in r.content.decode()
    assert BankStatementLine.objects.count() == 0


def test_queue_assign_through_the_page_needs_2fa(client, host, collective, bank_account):
    from opencity.banking import services

    services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[Line(5000, "sponsor", structured=False)]), system=True
    )
    line = BankStatementLine.objects.get()
    admin = host.admins.first()
    client.force_login(admin)
    url = _url("line_action", host, public_id=line.public_id, action="added_funds")
    client.post(url, {"collective": collective.slug})
    line.refresh_from_db()
    assert line.state == LineState.UNMATCHED
    client.force_login(enable_2fa(admin))  # a session that passed the second factor just now
    client.post(url, {"collective": collective.slug})
    line.refresh_from_db()
    assert line.state == LineState.ASSIGNED
    csv = client.get(_url("reconciliation_csv", host, public_id=bank_account.public_id)).content.decode()
    assert csv.splitlines()[3].startswith("difference,") and ",0,EUR" in csv.splitlines()[3]


def test_reconciliation_csv_lists_unmatched_lines_safely(client, host, bank_account):
    from opencity.banking import services

    services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[Line(700, "=HYPERLINK(1)", structured=False)]), system=True
    )
    client.force_login(host.admins.first())
    csv = client.get(_url("reconciliation_csv", host, public_id=bank_account.public_id)).content.decode()
    assert "line_not_in_ledger" in csv and "'=HYPERLINK(1)" in csv
    page = client.get(_url("reconciliation", host, public_id=bank_account.public_id)).content.decode()
    assert "Difference of" in page


def test_every_bank_table_cell_names_its_column_for_phones(client, host, collective, bank_account):
    """On a phone the tables stack into cards: each cell carries its column's name (data-label), in French too."""
    import re

    from opencity.banking import services
    from opencity.banking.models import BankStatement

    services.statement_import(
        host=host,
        data=camt053(iban=IBAN, lines=[Line(700, "gift", structured=False), Line(-120, "fees", structured=False)]),
        system=True,
    )
    client.force_login(host.admins.first())
    statement = BankStatement.objects.get()
    pages = [
        _url("index", host),
        _url("unmatched", host),
        _url("statement", host, public_id=statement.public_id),
        _url("reconciliation", host, public_id=bank_account.public_id),
    ]
    for url in pages:
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="fr", follow=True).content.decode()
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", body, flags=re.S)
        assert cells, url
        # without a name: a row's title (its link) and a column of buttons (the queue's, which name themselves)
        unlabelled = [inner for attrs, inner in cells if "data-label=" not in attrs and "colspan" not in attrs]
        assert all(
            inner.startswith("<a ") or "<form" in inner or "<details" in inner or not inner.strip()
            for inner in unlabelled
        ), (url, unlabelled)
    statement_page = client.get(pages[2], HTTP_ACCEPT_LANGUAGE="fr", follow=True).content.decode()
    assert 'data-label="Montant"' in statement_page and 'data-label="Contrepartie"' in statement_page


def test_two_lines_to_look_at_are_said_in_arabic(client, host, bank_account):
    """Arabic counts six plural forms: "2 lines" must not fall back to English on the host's dashboard."""
    from opencity.banking import services

    lines = [Line(700, "gift", structured=False), Line(-120, "fees", structured=False)]
    services.statement_import(host=host, data=camt053(iban=IBAN, lines=lines), system=True)
    client.force_login(host.admins.first())
    body = client.get(reverse("host_admin", args=[host.slug]), HTTP_ACCEPT_LANGUAGE="ar", follow=True)
    text = body.content.decode()
    assert "سطران للمراجعة" in text and "lines to look at" not in text


def test_the_bank_pages_say_what_moving_money_needs_before_the_forms(client, host, collective, bank_account):
    """Two-factor off: the import and the queue say to turn it on (settings); on but not confirmed lately: they
    offer "Confirm with your code", and a form sent anyway goes to that prompt (it said "turn it on" to people
    who had). Nothing is imported or assigned until then."""
    from opencity.accounts.models import User
    from opencity.banking import services

    services.statement_import(
        host=host, data=camt053(iban=IBAN, lines=[Line(5000, "sponsor", structured=False)]), system=True
    )
    line = BankStatementLine.objects.get()
    admin = host.admins.first()
    urls = {name: _url(name, host) for name in ("index", "unmatched")}  # before a request picks a language
    client.force_login(admin)
    for name in ("index", "unmatched"):
        page = client.get(f"/fr{urls[name]}").content.decode()
        assert "Activez " in page and "/accounts/settings/#two-factor" in page
    r = client.post(_url("upload", host), {"file": SimpleUploadedFile("s.xml", b"<x/>")})
    assert r.status_code == 302 and r["Location"].endswith("/accounts/settings/#two-factor")

    enable_2fa(admin)
    client.force_login(User.objects.get(pk=admin.pk))  # two-factor on, not confirmed in this session
    for url in urls.values():
        page = client.get(f"/ar{url}").content.decode()
        assert "أكّد باستخدام رمزك" in page
        assert f"/accounts/confirm-code/?next=/ar{url}" in page.replace("%2F", "/")
    r = client.post(
        _url("upload", host),
        {"file": SimpleUploadedFile("s.xml", camt053(iban=IBAN, lines=[Line(100, "x", structured=False)]))},
    )
    assert r.status_code == 302 and "/accounts/confirm-code/" in r["Location"]
    r = client.post(
        _url("line_action", host, public_id=line.public_id, action="added_funds"), {"collective": collective.slug}
    )
    assert r.status_code == 302 and "/accounts/confirm-code/" in r["Location"]
    line.refresh_from_db()
    assert line.state == LineState.UNMATCHED and BankStatementLine.objects.count() == 1

    client.force_login(enable_2fa(admin))  # confirmed just now: no notice, the forms work
    page = client.get(urls["unmatched"], follow=True).content.decode()
    assert 'class="msg warning"' not in page  # no notice
    assert f"/lines/{line.public_id}/do/added_funds" in page  # the forms are there
