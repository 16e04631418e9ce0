"""Issue 10: the expense form shows every error at once and keeps the receipts already picked — uploaded as
soon as picked (htmx), across errors and "Add an item" — and works without JavaScript in one submit."""

import datetime as dt

import pytest
from django.utils import timezone

from opencity.expenses.demo import tiny_pdf
from opencity.expenses.models import Expense, ReceiptUpload
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_collective, make_host, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world(tmp_path):
    host = make_host()
    collective = make_collective(host, name="Repair Café Form")
    member = make_user(name="Mia Member")
    receipt = tmp_path / "copy-shop-receipt.pdf"
    receipt.write_bytes(tiny_pdf("Copy shop"))
    return collective, member, receipt


def _fill_with_three_mistakes(page):
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    page.fill("input[name=title]", "Flyers for the repair day")
    page.fill("input[name=items-0-description]", "")  # mistake 1: no description
    page.fill("input[name=items-0-incurred_on]", future)  # mistake 2: a date in the future
    page.fill("input[name=items-0-amount]", "0")  # mistake 3: nothing to pay
    page.fill("input[name=iban]", "BE68 5390 0754 7035")  # mistake 4: wrong check digits
    page.fill("input[name=account_holder]", "Mia Member")


def _fix(page):
    page.fill("input[name=items-0-description]", "300 flyers A5")
    page.fill("input[name=items-0-incurred_on]", (timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.fill("input[name=items-0-amount]", "38,40")
    page.fill("input[name=iban]", "BE68 5390 0754 7034")


def _assert_every_error_at_once(page):
    text = page.locator("form.expense-form").inner_text()
    assert "Each item needs a description." in text
    assert "An item cannot be dated in the future." in text
    assert "Each amount must be more than zero." in text
    assert "IBAN is not valid" in text
    assert page.locator("form.expense-form .error").count() >= 4


def test_every_error_at_once_and_receipts_kept_with_javascript(browser, live_server, tmp_path):
    collective, member, receipt = _world(tmp_path)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    login(page, member.email, PASSWORD)
    page.goto(f"/{collective.slug}/expenses/new")

    # the receipt is uploaded as soon as it is picked: its name and a remove button replace the picker
    page.set_input_files("input[name=items-0-receipt]", str(receipt))
    page.wait_for_selector(".item-row >> nth=0 >> .receipt-kept")
    assert page.locator(".item-row").nth(0).locator(".receipt-name").inner_text() == "copy-shop-receipt.pdf"
    assert ReceiptUpload.objects.filter(uploaded_by=member).count() == 1

    _fill_with_three_mistakes(page)
    page.click("button[name=submit_expense]")
    page.wait_for_selector("#form-errors")
    _assert_every_error_at_once(page)
    assert Expense.objects.count() == 0
    # the receipt survived the errors ...
    assert page.locator(".item-row").nth(0).locator(".receipt-name").inner_text() == "copy-shop-receipt.pdf"

    # ... and "Add an item"
    rows = page.locator(".item-row").count()
    page.click("button[name=add_item]")
    page.wait_for_load_state()
    assert page.locator(".item-row").count() == rows + 1
    assert page.locator(".item-row").nth(0).locator(".receipt-name").inner_text() == "copy-shop-receipt.pdf"

    # a second receipt picked and removed again leaves the picker
    page.set_input_files("input[name=items-1-receipt]", str(receipt))
    page.wait_for_selector(".item-row >> nth=1 >> .receipt-kept")
    page.locator(".item-row").nth(1).locator("button[name=remove_receipt]").click()
    page.wait_for_selector("input[name=items-1-receipt]")
    assert ReceiptUpload.objects.filter(uploaded_by=member).count() == 1

    _fix(page)
    page.click("button[name=submit_expense]")
    page.wait_for_selector("text=Pending approval")
    expense = Expense.objects.get()
    item = expense.items.get()
    assert expense.amount == 3840 and item.receipt and item.receipt_name == "copy-shop-receipt.pdf"
    assert ReceiptUpload.objects.count() == 0  # the kept upload became the item's receipt
    context.close()


def test_without_javascript_one_submit_keeps_the_receipt(browser, live_server, tmp_path):
    collective, member, receipt = _world(tmp_path)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/accounts/login/")  # the header's language form has a no-script button: use the page's form
    page.fill("input[name=username], input[name=email]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.goto(f"/{collective.slug}/expenses/new")
    page.set_input_files("input[name=items-0-receipt]", str(receipt))
    _fill_with_three_mistakes(page)
    page.click("button[name=submit_expense]")
    page.wait_for_selector("#form-errors")
    _assert_every_error_at_once(page)
    assert page.locator(".item-row").nth(0).locator(".receipt-name").inner_text() == "copy-shop-receipt.pdf"
    _fix(page)
    page.click("button[name=submit_expense]")
    page.wait_for_selector("text=Pending approval")
    item = Expense.objects.get().items.get()
    assert item.receipt_name == "copy-shop-receipt.pdf" and item.receipt.size > 0
    context.close()
