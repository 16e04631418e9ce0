"""Issue 9 item 2: any change to what approvals vouch for (amount, items, payee, payout method) starts a
new approval round — "save draft" included — so €60 approved once cannot become €900 approved once."""

import pytest

from opencity.expenses import approvals, services
from opencity.expenses.models import ExpenseStatus, PayeeType
from opencity.hosting import services as hosting
from tests.expenses.conftest import enable_2fa, fund, item, make_collective, make_host, make_user, payee, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    host = make_host()
    admin_b = enable_2fa(host.admins.first())
    hosting.host_update(host=host, by=admin_b, expense_two_approvals_above=5000)  # €50
    collective = make_collective(host)
    fund(collective, 200_000)
    admin_a = collective.admins.first()
    submitter = make_user(name="Sam")
    return collective, admin_a, admin_b, submitter


def _edit(expense, by, *, items=None, payee_input=None, submit=False):
    kept = [
        services.ItemInput(
            description=i.description, incurred_on=i.incurred_on, amount=i.amount, keep_receipt_of=i.public_id
        )
        for i in expense.items.all()
    ]
    return services.expense_update(
        expense=expense,
        by=by,
        title=expense.title,
        category=expense.category,
        items=items or kept,
        payee=payee_input or services.PayeeInput(type=expense.payee_type, payout_method=expense.payout_method),
        submit=submit,
    )


def test_save_draft_from_60_to_900_needs_two_fresh_approvals(setup, check_ledger):
    collective, admin_a, admin_b, submitter = setup
    expense = submit(collective, submitter, amount=6000)
    expense = approvals.expense_approve(expense=expense, by=admin_a)
    assert expense.status == ExpenseStatus.PENDING  # 1 of 2
    expense = _edit(expense, submitter, items=[item(90000)], submit=False)  # "save draft"
    assert expense.amount == 90000
    expense = approvals.expense_approve(expense=expense, by=admin_b)
    assert expense.status == ExpenseStatus.PENDING, "€900 approved with one approval of that amount"
    expense = approvals.expense_approve(expense=expense, by=admin_a)
    assert expense.status == ExpenseStatus.APPROVED
    assert expense.approvals.filter(round=expense.submission_round).count() == 2
    check_ledger()


@pytest.mark.parametrize("change", ["items", "payee", "payout_method"])
def test_every_material_change_starts_a_new_round(setup, change):
    collective, admin_a, admin_b, submitter = setup
    expense = submit(collective, submitter, amount=6000)
    expense = approvals.expense_approve(expense=expense, by=admin_a)
    round_before = expense.submission_round
    if change == "items":
        expense = _edit(expense, submitter, items=[item(3000, description="A"), item(3000, description="B")])
    elif change == "payee":
        expense = _edit(
            expense,
            submitter,
            payee_input=services.PayeeInput(
                type=PayeeType.ORGANISATION, name="Print shop", payout_method=expense.payout_method
            ),
        )
    else:
        expense = _edit(expense, submitter, payee_input=payee())
    assert expense.submission_round > round_before
    expense = approvals.expense_approve(expense=expense, by=admin_b)
    assert expense.status == ExpenseStatus.PENDING


def test_saving_without_a_change_keeps_the_round(setup):
    collective, admin_a, admin_b, submitter = setup
    expense = submit(collective, submitter, amount=6000)
    expense = approvals.expense_approve(expense=expense, by=admin_a)
    expense = _edit(expense, submitter)
    expense = approvals.expense_approve(expense=expense, by=admin_b)
    assert expense.status == ExpenseStatus.APPROVED


def test_the_edit_page_save_draft_starts_a_new_round(setup, client):
    from tests.expenses.test_pages import _form, _url

    collective, admin_a, admin_b, submitter = setup
    expense = submit(collective, submitter, amount=6000)
    approvals.expense_approve(expense=expense, by=admin_a)
    kept = expense.items.get()
    client.force_login(submitter)
    data = _form(
        **{
            "items-0-receipt": "",
            "items-0-keep": kept.public_id,
            "items-0-amount": "900.00",
            "payout_method": expense.payout_method.public_id,
            "iban": "",
            "account_holder": "",
            "save_draft": "1",
        }
    )
    res = client.post(_url(expense, "/edit"), data)
    assert res.status_code == 302, res.content.decode()[:2000]
    expense.refresh_from_db()
    assert expense.amount == 90000
    expense = approvals.expense_approve(expense=expense, by=admin_b)
    assert expense.status == ExpenseStatus.PENDING
