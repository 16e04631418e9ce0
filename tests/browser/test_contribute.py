"""An anonymous visitor gives €25 with the demo card, sees the thank-you page, gets the receipt, and finds the
payment with its fees on the collective's public transactions page."""

import pytest

from opencity.contributions.models import Contribution
from tests.conftest import make_collective, make_host

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_visitor_gives_25_euros_with_the_demo_card(page, live_server, mailoutbox, settings, check_ledger):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""
    host = make_host()
    collective = make_collective(host, name="Repair Café Test")

    page.goto(f"/{collective.slug}/")
    page.click("#contribute a.button >> nth=-1")  # "Any amount"
    page.fill("input[name=amount]", "25")
    assert page.is_checked("input[name=payment_method][value=demo]")
    assert "no real money" in page.inner_text("form.checkout-form").lower()
    page.fill("input[name=name]", "Browser Giver")
    page.fill("input[name=email]", "browser@example.org")
    page.fill("textarea[name=public_message]", "Bon courage !")
    page.click("form.checkout-form button[type=submit]")
    page.wait_for_selector("text=Thank you!")

    c = Contribution.objects.get()
    assert c.status == "paid" and c.amount == 2500
    assert page.url.endswith(f"/contributions/{c.public_id}/thanks")
    assert c.receipt_number in page.inner_text("main")
    receipts = [m for m in mailoutbox if m.to == ["browser@example.org"]]
    assert len(receipts) == 1 and c.receipt_number in receipts[0].subject
    assert receipts[0].attachments[0][1][:4] == b"%PDF"

    page.goto(f"/{collective.slug}/transactions")
    journal = page.locator(f"tbody.journal[id='{c.journal.public_id}']")
    text = journal.inner_text()
    assert "€25.00" in text  # the payment
    assert "€0.63" in text  # demo card fee: 1.5 % + €0.25
    assert "€2.00" in text  # host fee 8 %
    assert "Browser Giver" in text  # the contributor chose to be shown
    check_ledger()
