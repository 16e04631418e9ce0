"""Issue 9 items 3, 11 and 12: payout files pay what their expenses say, their status follows their lines,
and bank details the SEPA schema refuses give a clear message naming the expense (never a 500)."""

import pytest
from django.core.management import call_command

from opencity.core.errors import Conflict, ValidationFailed
from opencity.expenses import approvals, payouts, services
from opencity.expenses.models import ExpenseStatus, PayoutBatch, PayoutLine, PayoutMethod
from opencity.ledger import services as ledger
from opencity.ledger.models import Transfer, TransferKind
from tests.api.test_expenses_api import _auth, _payload
from tests.expenses.conftest import approved, item, payee, submit

pytestmark = pytest.mark.django_db


def _file(batch) -> str:
    batch.refresh_from_db()
    with batch.file.open("rb") as f:
        return f.read().decode()


def _expense_moved(expense) -> int:
    """What the ledger moved out of the collective for this expense (net of reversals)."""
    out = sum(
        t.amount
        for t in Transfer.objects.filter(journal__source_type="expense", journal__source_id=expense.public_id)
        if t.kind == TransferKind.EXPENSE and t.debit_account.kind == "funds"
    )
    back = sum(
        t.amount
        for t in Transfer.objects.filter(journal__source_type="expense", journal__source_id=expense.public_id)
        if t.kind == TransferKind.EXPENSE and t.credit_account.kind == "funds"
    )
    return out - back


# --- item 3 ------------------------------------------------------------------------------------------


def test_the_issue_scenario_edited_to_900_with_a_new_iban_is_never_paid_from_the_old_file(world, check_ledger):
    w = world
    old_iban = "BE62510007547061"
    expense = approved(w.collective, w.submitter, 1000, payee=payee(iban=old_iban))  # €10
    other = approved(w.collective, w.submitter, 2500)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    assert batch.count == 2 and old_iban in _file(batch)
    old_line = expense.payout_lines.get()

    # Marked incomplete while its file is still ready: its line is dropped and the file rebuilt without it.
    approvals.expense_mark_incomplete(expense=expense, by=w.host_admin, note="Wrong account")
    old_line.refresh_from_db()
    batch.refresh_from_db()
    assert old_line.status == PayoutLine.Status.CANCELLED
    assert batch.status == PayoutBatch.Status.READY and batch.count == 1 and batch.total == 2500
    xml = _file(batch)
    assert old_line.end_to_end_id not in xml and old_iban not in xml

    # Edited to €900 and a new IBAN, approved again.
    new_iban = "BE71096123456769"
    expense = services.expense_update(
        expense=expense,
        by=w.submitter,
        title=expense.title,
        category=expense.category,
        items=[item(90000)],
        payee=payee(iban=new_iban),
    )
    expense = approvals.expense_approve(expense=expense, by=w.collective_admin)
    assert expense.status == ExpenseStatus.APPROVED

    # The old file is sent and confirmed: it pays the other expense only.
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin)
    expense.refresh_from_db()
    other.refresh_from_db()
    assert other.status == ExpenseStatus.PAID and expense.status == ExpenseStatus.APPROVED
    assert _expense_moved(expense) == 0
    check_ledger()

    # A new file pays it at €900 to the new account; the ledger moves €900.
    again = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    line = again.lines.get()
    assert (line.expense_id, line.amount, line.iban) == (expense.pk, 90000, new_iban)
    payouts.payout_batch_mark_sent(batch=again, by=w.host_admin)
    payouts.payout_batch_confirm_paid(batch=again, by=w.host_admin)
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.PAID and _expense_moved(expense) == 90000
    check_ledger()


@pytest.mark.parametrize("leave", ["reject", "hold"])
def test_the_last_line_leaving_cancels_the_ready_file(world, leave, check_ledger):
    w = world
    expense = approved(w.collective, w.submitter, 1000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    if leave == "reject":
        approvals.expense_reject(expense=expense, by=w.collective_admin, note="No")
    else:
        approvals.expense_hold(expense=expense, by=w.host_admin, note="Wait")
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.CANCELLED and batch.count == 0
    with pytest.raises(Conflict):
        payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    check_ledger()


def test_sending_refuses_a_line_that_no_longer_matches_its_expense(world, check_ledger):
    """Defence in depth: whatever changed the expense behind the file's back, the file is not sent."""
    w = world
    expense = approved(w.collective, w.submitter, 1000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    PayoutMethod.objects.filter(pk=expense.payout_method_id).update(iban="BE71096123456769")
    with pytest.raises(Conflict) as exc:
        payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    assert exc.value.code == "payout_line_mismatch" and expense.title in str(exc.value.message)
    batch.refresh_from_db()
    expense.refresh_from_db()
    assert batch.status == PayoutBatch.Status.READY and expense.status == ExpenseStatus.APPROVED
    assert _expense_moved(expense) == 0
    check_ledger()


def test_confirming_refuses_a_line_that_no_longer_matches_its_expense(world, check_ledger):
    w = world
    expense = approved(w.collective, w.submitter, 1000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    type(expense).objects.filter(pk=expense.pk).update(amount=90000)
    with pytest.raises(Conflict) as exc:
        payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin)
    assert exc.value.code == "payout_line_mismatch"
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.SCHEDULED and _expense_moved(expense) == 1000
    # A bank statement quoting that line does not settle it either.
    line = expense.payout_lines.get()
    payouts.payout_line_settle(end_to_end_id=line.end_to_end_id, paid_on=line.batch.execution_date)
    line.refresh_from_db()
    assert line.status == PayoutLine.Status.OPEN
    check_ledger()


# --- item 11 -----------------------------------------------------------------------------------------


def test_a_file_whose_only_line_failed_says_failed(world, check_ledger):
    w = world
    expense = approved(w.collective, w.submitter, 1000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    payouts.expense_mark_error(expense=expense, by=w.host_admin, note="Account closed")
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.FAILED and batch.paid_at is None
    with pytest.raises(Conflict, match="failed"):
        payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin)
    assert ledger.funds_account(w.collective).balance == 100_000
    check_ledger()


def test_a_file_with_one_failed_and_one_paid_line_says_partly_paid(world, check_ledger):
    w = world
    bad = approved(w.collective, w.submitter, 1000)
    good = approved(w.collective, w.submitter, 2000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    payouts.expense_mark_error(expense=bad, by=w.host_admin, note="Account closed")
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.SENT
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin)
    batch.refresh_from_db()
    good.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PARTLY_PAID and good.status == ExpenseStatus.PAID
    # Confirming again (a double-submitted form) changes nothing; the bank fee can still be recorded once.
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin, bank_fee=30)
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin, bank_fee=30)
    assert ledger.funds_account(w.collective).balance == 100_000 - 2000 - 30
    check_ledger()


def test_a_file_paid_in_full_still_says_paid(world, check_ledger):
    w = world
    approved(w.collective, w.submitter, 1000)
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin)
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID
    check_ledger()


# --- item 12 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bic", ["NOTABIC!", "ZZZZZZZZ", "GEBA"])
def test_a_bic_that_is_not_one_is_refused_on_input(world, bic):
    with pytest.raises(ValidationFailed) as exc:
        submit(world.collective, world.submitter, 1000, payee=payee(bic=bic))
    assert exc.value.code == "invalid_bic" and exc.value.field == "bic"


def test_a_valid_bic_is_kept_compact(world):
    expense = submit(world.collective, world.submitter, 1000, payee=payee(bic="gebabebb"))
    assert expense.payout_method.bic == "GEBABEBB"


def test_the_api_refuses_a_bad_bic_with_json(world, client, api_token):
    url = f"/api/v1/collectives/{world.collective.slug}/expenses"
    res = client.post(url, _payload(bic="ZZZZZZZZ"), **_auth(api_token, world.submitter))
    assert res.status_code == 400 and res.json()["code"] == "invalid_bic"


def test_the_expense_form_refuses_a_bad_bic(world, client):
    from tests.expenses.test_pages import _form

    client.force_login(world.submitter)
    res = client.post(f"/{world.collective.slug}/expenses/new", _form(bic="ZZZZZZZZ"))
    assert res.status_code == 400 and "This BIC is not valid" in res.content.decode()


def _stored_bad_bic(world, amount=1000, title="Bad bank details"):
    """An expense whose stored BIC predates the check (or passes it but not the schema)."""
    expense = approved(world.collective, world.submitter, amount, title=title)
    PayoutMethod.objects.filter(pk=expense.payout_method_id).update(bic="NOTABIC!")
    return expense


def test_a_remaining_sepa_error_names_the_expense(world, client, check_ledger):
    w = world
    bad = _stored_bad_bic(w)
    with pytest.raises(ValidationFailed) as exc:
        payouts.payout_batch_create(host=w.host, by=w.host_admin)
    assert exc.value.code == "unpayable_expense" and "Bad bank details" in str(exc.value.message)
    assert PayoutBatch.objects.count() == 0
    client.force_login(w.host_admin)
    res = client.post(
        f"/{w.host.slug}/admin/expenses/pay", {"expense": [bad.public_id], "make_batch": "1"}, follow=True
    )
    assert res.status_code == 200 and "Bad bank details" in res.content.decode()
    check_ledger()


def test_the_payouts_command_skips_and_reports_an_unpayable_expense(world, tmp_path, capsys, check_ledger):
    w = world
    bad = _stored_bad_bic(w)
    good = approved(w.collective, w.submitter, 2000)
    out = tmp_path / "payouts.xml"
    call_command("payouts", "--host", w.host.slug, "--out", str(out), verbosity=0)
    err = capsys.readouterr().err
    assert bad.public_id in err and "Bad bank details" in err
    batch = PayoutBatch.objects.get()
    assert [line.expense_id for line in batch.lines.all()] == [good.pk]
    assert good.payout_lines.get().end_to_end_id in out.read_text()
    check_ledger()
