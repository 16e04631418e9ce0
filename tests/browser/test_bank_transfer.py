"""A visitor chooses bank transfer and sees the QR code; the host admin uploads the bank's statement; the
contribution appears on the collective's public page."""

import pyotp
import pytest

from opencity.banking import services as banking
from opencity.banking.models import PaymentReference
from opencity.contributions.models import Contribution
from tests.banking.files import Line, camt053
from tests.browser.conftest import login
from tests.conftest import PASSWORD, enable_2fa, make_collective, make_host

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bank_transfer_from_checkout_to_public_page(page, live_server, tmp_path, settings, check_ledger):
    settings.DEMO_MODE = False
    settings.STRIPE_SECRET_KEY = ""
    host = make_host()
    account = banking.bank_account_main(host=host)
    collective = make_collective(host, name="Jardin Partagé Test")

    page.goto(f"/{collective.slug}/contribute")
    page.fill("input[name=amount]", "30")
    page.check("input[name=payment_method][value=bank_transfer]")
    page.fill("input[name=name]", "Virement Visiteur")
    page.fill("input[name=email]", "virement@example.org")
    page.click("form.checkout-form button[type=submit]")
    page.wait_for_selector(".transfer-qr img")
    c = Contribution.objects.get()
    ref = PaymentReference.objects.get(contribution=c)
    text = page.inner_text(".transfer-instructions")
    assert "BE68 5390 0754 7034" in text and "€30.00" in text
    assert f"+++{ref.communication[:3]}/{ref.communication[3:7]}/{ref.communication[7:]}+++" in text
    assert page.get_attribute(".transfer-qr img", "src").startswith("data:image/png;base64,")
    assert c.status == Contribution.Status.PENDING

    admin = enable_2fa(host.admins.first())
    page.context.clear_cookies()
    login(page, admin.email, PASSWORD, otp=pyotp.TOTP(admin.totp_secret).now())
    statement = tmp_path / "statement.xml"
    statement.write_bytes(camt053(iban=account.iban, lines=[Line(3000, ref.communication, name="Virement Visiteur")]))
    page.goto(f"/{host.slug}/admin/bank")
    page.set_input_files("input[name=file]", str(statement))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert "1 matched" in page.inner_text(".messages")

    c.refresh_from_db()
    assert c.status == Contribution.Status.PAID
    page.goto(f"/{collective.slug}/transactions")
    journal = page.locator(f"tbody.journal[id='{c.journal.public_id}']")
    assert "€30.00" in journal.inner_text()
    page.goto(f"/{host.slug}/admin/")
    assert "Reconciled" in page.inner_text(".bank-summary")
    check_ledger()
