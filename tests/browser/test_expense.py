"""A member submits a reimbursement with a receipt, a collective admin approves it, a host admin with 2FA
pays it; the public expenses and transactions pages show it, without the receipt."""

import datetime as dt
import time

import pyotp
import pytest
from django.utils import timezone

from opencity.expenses.demo import tiny_pdf
from opencity.expenses.models import Expense
from opencity.ledger import services as ledger
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_collective, make_host, make_user
from tests.expenses.conftest import enable_2fa, fund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _new_page(browser, live_server):
    context = browser.new_context(locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(15000)
    return context, context.new_page()


def test_reimbursement_from_submission_to_payment(browser, live_server, settings, tmp_path, check_ledger):
    host = make_host()
    host_admin = enable_2fa(host.admins.first())  # set up through the accounts services
    collective = make_collective(host, name="Repair Café Browser")
    collective_admin = collective.admins.first()
    member = make_user(name="Mia Member")
    fund(collective, 50_000)
    receipt = tmp_path / "flyers-receipt.pdf"
    receipt.write_bytes(tiny_pdf("Copy shop"))

    # 1. the member submits a reimbursement with a receipt
    ctx, page = _new_page(browser, live_server)
    login(page, member.email, PASSWORD)
    page.goto(f"/{collective.slug}/")
    page.click(f"a[href='/{collective.slug}/expenses/new']")
    page.fill("input[name=title]", "Flyers for the repair day")
    page.select_option("select[name=category]", "printing")
    page.fill("input[name=items-0-description]", "300 flyers A5")
    page.fill("input[name=items-0-incurred_on]", (timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.fill("input[name=items-0-amount]", "38,40")
    page.set_input_files("input[name=items-0-receipt]", str(receipt))
    page.fill("input[name=iban]", "BE68 5390 0754 7034")
    page.fill("input[name=account_holder]", "Mia Member")
    page.click("button[name=submit_expense]")
    page.wait_for_selector("text=Pending approval")
    expense = Expense.objects.get()
    assert expense.amount == 3840 and expense.items.get().receipt
    ctx.close()

    # 2. a collective admin approves it
    ctx, page = _new_page(browser, live_server)
    login(page, collective_admin.email, PASSWORD)
    page.goto(f"/{collective.slug}/expenses/{expense.public_id}")
    assert page.locator("a.receipt-link").count() == 1  # admins see the receipt
    page.click("button[name=approve]")
    page.wait_for_selector(".status.approved")
    ctx.close()

    # 3. the host admin logs in with the one-time code and pays it from the dashboard
    ctx, page = _new_page(browser, live_server)
    otp = pyotp.TOTP(host_admin.totp_secret).at(time.time() + 30)  # a code not used to turn 2FA on
    login(page, host_admin.email, PASSWORD, otp=otp)
    page.wait_for_load_state()
    page.goto(f"/{host.slug}/admin/expenses")
    page.check(f"#pick-{expense.public_id}")
    page.fill("input[name=bank_fee]", "0.15")
    page.click("button[name=mark_paid]")
    page.wait_for_selector("text=1 expenses marked as paid")
    expense.refresh_from_db()
    assert expense.status == "paid"
    assert ledger.funds_account(collective).balance == 50_000 - 3840 - 15
    ctx.close()

    # 4. anyone sees it on the public pages, without the receipt or bank details
    ctx, page = _new_page(browser, live_server)
    page.goto(f"/{collective.slug}/expenses")
    row = page.locator("table.expenses tbody tr").first.inner_text()
    assert "Flyers for the repair day" in row and "Paid" in row and "Mia Member" in row
    page.click("text=Flyers for the repair day")
    page.wait_for_selector("h1:has-text('Flyers for the repair day')")
    html = page.content()
    assert "/receipts/" not in html and "BE68" not in html and "flyers-receipt" not in html
    page.goto(f"/{collective.slug}/transactions")
    text = page.inner_text("main")
    assert "Flyers for the repair day" in text
    assert "38.40" in text and "0.15" in text
    assert "/receipts/" not in page.content() and "BE68" not in page.content()
    ctx.close()
    check_ledger()
