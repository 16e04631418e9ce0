"""Receipt numbers, PDFs, statements, the contributors wall and rates."""

import io
import threading
import urllib.request
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from opencity.contributions import rates, selectors
from opencity.contributions.models import ExchangeRate
from opencity.contributions.receipts import receipt_number_allocate, receipt_pdf
from opencity.contributions.tasks import rates_refresh
from opencity.ledger.models import Journal
from opencity.ledger.services import funds_account
from opencity.money import Money
from tests.conftest import enable_2fa, make_collective, make_host, make_user
from tests.contributions.helpers import give, top_up

pytestmark = pytest.mark.django_db


def test_receipt_numbers_per_host_and_year(collective):
    host = collective.host
    prefix = "".join(ch for ch in host.name if ch.isupper())[:4] or "H"
    first = receipt_number_allocate(host=host, year=2026)
    second = receipt_number_allocate(host=host, year=2026)
    assert first.endswith("-2026-000001") and second.endswith("-2026-000002")
    assert receipt_number_allocate(host=host, year=2027).endswith("-2027-000001")
    assert first.startswith(prefix[:1])


@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_unique_under_concurrency():
    host = make_host()
    numbers, lock = [], threading.Lock()

    def worker():
        try:
            for _ in range(3):
                n = receipt_number_allocate(host=host, year=2026)
                with lock:
                    numbers.append(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 18 and len(set(numbers)) == 18


def test_receipt_pdf_has_the_facts(collective):
    c = give(collective, name="Zoë Ünicode", organisation_name="ACME SRL", organisation_vat="BE0403170701")
    pdf = receipt_pdf(c)
    assert pdf[:4] == b"%PDF" and len(pdf) > 1000


def test_receipt_in_the_contributors_language(collective, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        give(collective, language="fr", email="fr@example.org")
    assert mailoutbox[0].to == ["fr@example.org"]
    assert "reçu" in mailoutbox[0].subject.lower()


def test_annual_statement_only_own_gifts(collective):
    me, other = make_user(), make_user()
    give(collective, user=me, amount=1000)
    give(collective, user=me, amount=2000)
    give(collective, user=other, amount=5000)
    year = selectors.contributions_of_user(me).first().paid_at.year
    host_slug = collective.host.slug
    url = f"/contributions/statement/{host_slug}/{year}.pdf"
    assert Client().get(url).status_code == 302  # login required
    c = Client()
    c.force_login(me)
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"
    assert c.get(f"/contributions/statement/{host_slug}/{year - 5}.pdf").status_code == 404
    assert c.get(f"/contributions/statement/{collective.slug}/{year}.pdf").status_code == 404
    assert [(h.slug, y) for h, y in selectors.statement_years(me)] == [(host_slug, year)]
    rows = selectors.statement_contributions(person=me.person, host=collective.host, year=year)
    assert sum(x.amount for x in rows) == 3000


def test_contributors_wall_hides_emails_and_names_of_anonymous(client, collective, django_assert_max_num_queries):
    give(collective, name="Visible Vera", email="vera@example.org", amount=3000)
    give(
        collective,
        name="Hidden Hugo",
        email="hugo@example.org",
        amount=1000,
        anonymous=True,
        public_message="From a shy neighbour",
    )
    give(collective, name="Org Rep", email="org@example.org", amount=10000, organisation_name="Brussels Bakery")
    rows = selectors.collective_contributors(collective)
    assert [r.name for r in rows] == ["Brussels Bakery", "Visible Vera", "Anonymous"]
    page = client.get(f"/{collective.slug}/").content.decode()
    assert "Visible Vera" in page and "Hidden Hugo" not in page and "@example.org" not in page
    assert "From a shy neighbour" in page
    for i in range(5):
        give(collective, email=f"more{i}@example.org", name=f"More {i}")
    with django_assert_max_num_queries(12):
        selectors.collective_contributors(collective)
        selectors.collective_tiers(collective)
        selectors.collective_members(collective)


def test_shipped_rates_and_display():
    date, values = rates.shipped_rates()
    assert date.isoformat() == "2026-11-26" and values["USD"] == Decimal("1.0842")
    shown = {m.currency: m for m in rates.convert_for_display(Money(2500, "EUR"))}
    assert shown["USD"] == Money(2710, "USD")  # 25 × 1.0842 = 27.105 → 27.10 (half-even)
    assert "EUR" not in shown


ECB_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject><Cube><Cube time="2026-11-27">
<Cube currency="USD" rate="1.1000"/><Cube currency="GBP" rate="0.8500"/></Cube></Cube></gesmes:Envelope>"""


def test_rates_refresh_fetches_and_stores(monkeypatch):
    calls = []

    def fake_urlopen(request, timeout):
        calls.append((request.full_url, timeout))
        return io.BytesIO(ECB_XML)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    assert rates_refresh.call() == 2
    assert calls == [(rates.ECB_URL, 10.0)]
    assert ExchangeRate.objects.get(currency="USD").rate == Decimal("1.1")
    date, _ = rates.current_rates()
    assert date.isoformat() == "2026-11-27"


def test_rates_refresh_offline_keeps_the_shipped_copy(monkeypatch):
    def offline(request, timeout):
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert rates_refresh.call() == 0
    assert ExchangeRate.objects.count() == 0
    assert rates.current_rates()[0].isoformat() == "2026-11-26"
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: io.BytesIO(b"<html>oops</html>"))
    assert rates_refresh.call() == 0


def test_refund_by_host_admin_from_the_page(collective, host_admin, collective_admin, check_ledger):
    c = give(collective)
    admin = Client()
    admin.force_login(collective_admin)
    assert admin.post(f"/contributions/{c.public_id}/refund").status_code == 404  # collective admins cannot
    admin.force_login(enable_2fa(host_admin))  # refunds move money: two-factor (issue 8)
    assert b"Refund" in admin.get(f"/{collective.slug}/contributions").content
    # A confirmation step that asks why, before anything moves.
    page = admin.get(f"/contributions/{c.public_id}/refund")
    assert page.status_code == 200 and b'name="reason"' in page.content and b"cannot be undone" in page.content
    # A session that did not pass two-factor lately is sent to confirm its code; nothing moves (issue 8, item 2).
    stale = Client()
    stale.force_login(type(host_admin).objects.get(pk=host_admin.pk))
    r = stale.post(f"/contributions/{c.public_id}/refund", {"reason": "Given twice"})
    assert r.status_code == 302 and "confirm-code" in r["Location"]
    c.refresh_from_db()
    assert c.status == "paid"
    r = admin.post(f"/contributions/{c.public_id}/refund", {"reason": "  "})
    assert r.status_code == 400 and b"Say why" in r.content
    # The demo processor keeps its fee, so the collective must cover it from other money: refused for now.
    r = admin.post(f"/contributions/{c.public_id}/refund", {"reason": "Given twice"})
    assert b"already spent" in r.content
    c.refresh_from_db()
    assert c.status == "paid"
    top_up(collective, 1000)
    admin.post(f"/contributions/{c.public_id}/refund", {"reason": "Given twice"})
    c.refresh_from_db()
    assert c.status == "refunded"
    # 1000 added + 2500 paid − 63 demo fee − 200 host fee, then −2500 refunded + 200 host fee back.
    assert funds_account(collective).balance == 1000 - 63
    # The demo "processor" keeps its fee too: no processor fee comes back.
    refund = Journal.objects.get(reverses=c.journal)
    assert sorted((t.kind, t.amount) for t in refund.transfers.all()) == [("host_fee", 200), ("refund", 2500)]
    check_ledger()


def test_other_host(db):
    host = make_host()
    collective = make_collective(host)
    give(collective)
    assert host.slug


def test_account_page_links_to_contributions_and_statements(collective):
    me = make_user()
    give(collective, user=me, amount=1000)
    c = Client()
    c.force_login(me)
    page = c.get("/accounts/settings/").content.decode()
    assert "/contributions/mine" in page and "/contributions/statement/" in page
    mine = c.get("/contributions/mine").content.decode()
    assert "€10.00" in mine


@pytest.mark.parametrize("language", ["en", "fr", "nl", "ar"])
def test_receipt_pdf_in_every_language(collective, language):
    from opencity.contributions.receipts import receipt_pdf_in

    c = give(collective, name="أمينة Zoë", language=language)
    assert receipt_pdf_in(c, language)[:4] == b"%PDF"


@pytest.mark.parametrize(
    ("language", "method"),
    [
        ("en", "Demo card (no real money)"),
        ("fr", "Carte de démonstration (pas d’argent réel)"),
        ("nl", "Demokaart (geen echt geld)"),
    ],
)
def test_receipt_names_the_payment_method_in_the_readers_language(collective, language, method):
    from django.utils import translation

    from opencity.contributions.receipts import receipt_rows

    c = give(collective, language=language)
    with translation.override(language):
        rows = {str(label): str(value) for label, value in receipt_rows(c)}
    assert method in rows.values()
    assert "demo" not in rows.values()  # not the provider's code
