import pytest

from opencity.core.errors import Conflict, PermissionDenied
from opencity.expenses import approvals, payouts, services
from opencity.expenses.models import Expense, ExpenseEvent, ExpenseStatus
from opencity.ledger import services as ledger
from opencity.ledger.errors import InsufficientFunds
from tests.conftest import make_user
from tests.expenses.conftest import approved, enable_2fa, submit

pytestmark = pytest.mark.django_db


def test_submit_approve_pay_writes_events_and_ledger(world, check_ledger, mails):
    w = world
    expense = submit(w.collective, w.submitter, 2500)
    assert expense.status == ExpenseStatus.PENDING
    assert [m.to for m in mails] == [[w.collective_admin.email]]
    approvals.expense_approve(expense=expense, by=w.collective_admin)
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.APPROVED
    before = ledger.funds_account(w.collective).balance
    payouts.expense_mark_paid(expense=expense, by=w.host_admin, bank_fee=30)
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.PAID
    assert ledger.funds_account(w.collective).balance == before - 2530
    kinds = sorted(t.kind for t in expense.paid_journal.transfers.all())
    assert kinds == ["bank_fee", "expense"]
    steps = list(ExpenseEvent.objects.filter(expense=expense).values_list("from_status", "to_status"))
    assert steps == [("", "draft"), ("draft", "pending"), ("pending", "approved"), ("approved", "paid")]
    # paying twice (a double-submitted form) moves nothing more
    payouts.expense_mark_paid(expense=expense, by=w.host_admin, bank_fee=30)
    assert ledger.funds_account(w.collective).balance == before - 2530
    check_ledger()


def test_own_expense_needs_another_admin(world):
    w = world
    expense = submit(w.collective, w.collective_admin)
    with pytest.raises(PermissionDenied) as exc:
        approvals.expense_approve(expense=expense, by=w.collective_admin)
    assert exc.value.code == "own_expense"
    approvals.expense_approve(expense=expense, by=w.host_admin)
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.APPROVED


def test_two_approvals_above_threshold(world):
    w = world
    w.host.expense_two_approvals_above = 10_000
    w.host.save()
    expense = submit(w.collective, w.submitter, 20_000)
    approvals.expense_approve(expense=expense, by=w.collective_admin)
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.PENDING
    with pytest.raises(Conflict):
        approvals.expense_approve(expense=expense, by=w.collective_admin)
    approvals.expense_approve(expense=expense, by=w.host_admin)
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.APPROVED
    small = submit(w.collective, w.submitter, 5_000)
    approvals.expense_approve(expense=small, by=w.collective_admin)
    assert Expense.objects.get(pk=small.pk).status == ExpenseStatus.APPROVED


def test_incomplete_then_resubmit_starts_new_round(world, mails):
    w = world
    w.host.expense_two_approvals_above = 100
    w.host.save()
    expense = submit(w.collective, w.submitter, 5000)
    approvals.expense_approve(expense=expense, by=w.collective_admin)
    approvals.expense_mark_incomplete(expense=expense, by=w.host_admin, note="Receipt unreadable")
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.INCOMPLETE
    assert any("Receipt unreadable" in m.body for m in mails if m.to == [w.submitter.email])
    keep = expense.items.get().public_id
    services.expense_update(
        expense=expense,
        by=w.submitter,
        title="Flyers (better scan)",
        category="printing",
        items=[services.ItemInput("Flyers", expense.items.get().incurred_on, 5000, keep_receipt_of=keep)],
        payee=services.PayeeInput(payout_method=expense.payout_method),
    )
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.PENDING and expense.submission_round == 2
    assert expense.items.get().receipt
    approvals.expense_approve(expense=expense, by=w.collective_admin)  # a new round: this approval counts again
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.PENDING


def test_hold_and_release(world):
    w = world
    expense = submit(w.collective, w.submitter)
    approvals.expense_hold(expense=expense, by=w.host_admin)
    with pytest.raises(PermissionDenied):
        approvals.expense_hold(expense=expense, by=w.collective_admin)
    approvals.expense_release(expense=expense, by=w.host_admin)
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.PENDING


def test_pay_requires_2fa_and_host_admin(world):
    w = world
    expense = approved(w.collective, w.submitter)
    no2fa = make_user()
    from opencity.hosting import services as hosting

    hosting.host_add_admin(host=w.host, user=no2fa)
    with pytest.raises(PermissionDenied) as exc:
        payouts.expense_mark_paid(expense=expense, by=no2fa)
    assert exc.value.code == "2fa_required"
    with pytest.raises(PermissionDenied):
        payouts.expense_mark_paid(expense=expense, by=w.collective_admin)
    with pytest.raises(PermissionDenied):
        payouts.expense_mark_paid(expense=expense, by=w.other_host_admin)
    enable_2fa(no2fa)
    payouts.expense_mark_paid(expense=expense, by=no2fa)


def test_cannot_pay_beyond_balance(world, check_ledger):
    w = world
    expense = approved(w.collective, w.submitter, 100_001)
    with pytest.raises(InsufficientFunds) as exc:
        payouts.expense_mark_paid(expense=expense, by=w.host_admin)
    assert "Nothing was paid" in str(exc.value)
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.APPROVED
    check_ledger()


def test_batch_sent_counts_against_balance_then_paid(world, check_ledger):
    w = world
    a = approved(w.collective, w.submitter, 60_000)
    b = approved(w.collective, w.submitter, 30_000)
    c = approved(w.collective, w.submitter, 30_000)  # does not fit with a and b
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    assert batch.count == 2 and {line.expense_id for line in batch.lines.all()} == {a.pk, b.pk}
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    assert ledger.funds_account(w.collective).balance == 10_000
    assert Expense.objects.get(pk=a.pk).status == ExpenseStatus.SCHEDULED
    with pytest.raises(InsufficientFunds):
        payouts.expense_mark_paid(expense=c, by=w.host_admin)
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin)
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert Expense.objects.get(pk=b.pk).status == ExpenseStatus.PAID
    assert ledger.funds_account(w.collective).balance == 10_000
    check_ledger()


def test_error_reverses_in_flight_and_retry(world, check_ledger):
    w = world
    a = approved(w.collective, w.submitter, 40_000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    assert ledger.funds_account(w.collective).balance == 60_000
    payouts.expense_mark_error(expense=a, by=w.host_admin, note="Account closed")
    assert ledger.funds_account(w.collective).balance == 100_000
    assert Expense.objects.get(pk=a.pk).status == ExpenseStatus.ERROR
    payouts.expense_retry(expense=a, by=w.host_admin)
    again = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    line = again.lines.get()
    assert line.end_to_end_id.endswith("-2")
    payouts.payout_batch_mark_sent(batch=again, by=w.host_admin)
    payouts.payout_line_settle(end_to_end_id=line.end_to_end_id, paid_on=line.batch.execution_date)
    assert Expense.objects.get(pk=a.pk).status == ExpenseStatus.PAID
    check_ledger()


def test_batch_cancel_makes_expenses_payable_again(world):
    w = world
    a = approved(w.collective, w.submitter, 1000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    with pytest.raises(Conflict):
        payouts.expense_mark_paid(expense=a, by=w.host_admin)
    payouts.payout_batch_cancel(batch=batch, by=w.host_admin)
    payouts.expense_mark_paid(expense=a, by=w.host_admin)


def test_comment_notifies_others(world, mails):
    w = world
    expense = submit(w.collective, w.submitter)
    mails.clear()
    services.expense_comment(expense=expense, by=w.collective_admin, body="Which printer?", private=False)
    assert [m.to for m in mails] == [[w.submitter.email]]
    with pytest.raises(PermissionDenied):
        services.expense_comment(expense=expense, by=w.other_user, body="hi")


def test_emails_are_translated(world, mails):
    w = world
    w.submitter.preferred_language = "fr"
    w.submitter.save()
    expense = submit(w.collective, w.submitter)
    mails.clear()
    approvals.expense_reject(expense=expense, by=w.collective_admin, note="Non")
    assert len(mails) == 1
    assert mails[0].subject == "Dépense refusée : Flyers"
    assert "Bonjour" in mails[0].body and "La dépense a été refusée." in mails[0].body


def test_emails_wait_for_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(world.collective, world.submitter)
    assert mailoutbox == [] and callbacks
    for cb in callbacks:
        cb()
    assert [m.to for m in mailoutbox] == [[world.collective_admin.email]]
