"""A French visitor on a phone gives €10 with "cover the fees" and gets the receipt email — served by the real
`opencity serve` console script with its default processes only (web server + the task worker it starts).

Emails go to files (EMAIL_URL=file://…) so the test reads what the worker sent. The checkout's fee preview
(before paying) shows what will be charged; the journey checks that this is the total charged afterwards, in
the thank-you page and in the receipt.
"""

import email
from email.header import decode_header, make_header

import pytest
from playwright.sync_api import expect

from opencity.contributions.models import Contribution
from tests.conftest import make_collective, make_host
from tests.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _parse(text: str) -> tuple[str, str, str]:
    """(to, subject, body) of a file written by Django's file email backend (one message per file here)."""
    msg = email.message_from_bytes(text.split("\n" + "-" * 79)[0].encode())
    subject = str(make_header(decode_header(msg["Subject"])))
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return msg["To"], subject, body


def test_french_visitor_on_a_phone_covers_the_fees_and_gets_the_receipt(browser, tmp_path):
    host = make_host()
    collective = make_collective(host, name="Jardin partagé d’Ixelles")
    env = {"OPENCITY_DEMO": "1", "STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": ""}
    with serve(tmp_path, env=env) as served:
        context = browser.new_context(
            locale="fr-BE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(20000)
        page = context.new_page()
        try:
            # First visit: the browser speaks French, so does the site.
            page.goto(served.url + "/")
            assert page.url == served.url + "/fr/"
            assert page.get_attribute("html", "lang") == "fr"
            page.goto(f"{served.url}/{collective.slug}/")
            assert page.url == f"{served.url}/fr/{collective.slug}/"

            page.click("#contribute a.button >> nth=-1")  # "Montant libre"
            assert f"/fr/{collective.slug}/contribute" in page.url
            page.fill("input[name=amount]", "10")
            assert page.is_checked("input[name=payment_method][value=demo]")
            cover = page.locator("label", has=page.locator("input[name=cover_fees]"))
            assert "frais" in cover.inner_text()  # "Couvrir les frais, …", in French
            page.check("input[name=cover_fees]")
            charged = page.locator("[data-testid=charged]")
            expect(charged).to_contain_text("11,33")  # €10 + the fees it covers, shown before paying
            charged_before = charged.inner_text()
            page.fill("input[name=name]", "Élodie Dubois")
            page.fill("input[name=email]", "elodie@example.org")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            page.click("form.checkout-form button.pay-button")
            page.wait_for_selector("text=Merci !")

            c = Contribution.objects.get()
            assert c.status == "paid" and c.cover_fees and c.language == "fr"
            assert c.amount > 1000  # the fees were added to the €10.00 gift
            total = f"{c.amount // 100},{c.amount % 100:02d}"
            assert total in page.inner_text("main")  # "Votre contribution de 11,33 € …"
            assert total in charged_before  # what the summary showed before paying is what was charged
            assert c.receipt_number in page.inner_text("main")

            # The receipt is sent by the worker that `serve` started, in French.
            text = served.wait_for_mail(60, containing="elodie@example.org")
            assert text, "no receipt email within 60 s"
            to, subject, body = _parse(text)
            assert to == "elodie@example.org"
            assert subject.startswith(f"Votre reçu {c.receipt_number}")
            assert "Élodie Dubois" in body and total in body
        finally:
            context.close()
    assert "with a task worker" in served.output
