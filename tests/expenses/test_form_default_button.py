"""Pressing Enter in a text field "clicks" the form's first submit button: it must be the main action."""

import lxml.html
import pytest

from opencity.expenses import approvals
from opencity.expenses.models import Expense, ExpenseStatus
from tests.expenses.conftest import submit
from tests.expenses.test_pages import _form

pytestmark = pytest.mark.django_db


def _submit_buttons(html: str) -> list:
    doc = lxml.html.fromstring(html)
    form = doc.xpath('//form[@enctype="multipart/form-data"]')[0]
    # XPath unions come back in document order: the first one is what Enter presses.
    return form.xpath('.//button[not(@type) or @type="submit"] | .//input[@type="submit" or @type="image"]')


def test_enter_submits_the_expense_not_add_an_item(world, client):
    client.force_login(world.submitter)
    buttons = _submit_buttons(client.get(f"/{world.collective.slug}/expenses/new").content.decode())
    first = buttons[0]
    assert first.get("name") == "submit_expense" and first.get("value") == "Submit expense"
    assert [b.get("name") for b in buttons].index("add_item") > 0
    assert buttons[-1].get("name") != "add_item"  # the visible buttons keep their places
    # What the browser sends on Enter: the fields plus the default button's name and value.
    res = client.post(f"/{world.collective.slug}/expenses/new", _form(submit_expense=first.get("value")))
    assert res.status_code == 302
    assert Expense.objects.get().status == ExpenseStatus.PENDING


def test_enter_on_the_edit_form_saves_and_submits(world, client):
    expense = submit(world.collective, world.submitter, 1000)
    approvals.expense_mark_incomplete(expense=expense, by=world.host_admin, note="Add the date")
    client.force_login(world.submitter)
    page = client.get(f"/{world.collective.slug}/expenses/{expense.public_id}/edit").content.decode()
    first = _submit_buttons(page)[0]
    assert first.get("name") == "submit_expense" and first.get("value") == "Save and submit"
