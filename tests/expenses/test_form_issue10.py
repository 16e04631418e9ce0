"""Issue 10: the expense form shows every error at once and keeps picked receipts (privately, per uploader);
the submitter never sees "Reject" on their own expense; the history reads as sentences, in the reader's language."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from opencity.expenses import permissions
from opencity.expenses.models import Expense, ReceiptUpload
from tests.expenses.conftest import pdf, submit

pytestmark = pytest.mark.django_db


def _form(**over):
    today = timezone.localdate()
    data = {
        "type": "reimbursement",
        "title": "Flyers for the open day",
        "category": "printing",
        "payee_type": "self",
        "iban": "BE68 5390 0754 7034",
        "account_holder": "Sam Submitter",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-description": "500 flyers",
        "items-0-incurred_on": (today - dt.timedelta(days=3)).isoformat(),
        "items-0-amount": "42,50",
        "items-0-receipt": pdf("invoice.pdf"),
        "form_token": "tok-1",
    }
    data.update(over)
    return data


def test_every_error_is_shown_at_once(world, client):
    client.force_login(world.submitter)
    future = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    res = client.post(
        f"/{world.collective.slug}/expenses/new",
        _form(
            title="",
            iban="BE68539007547035",
            **{"items-0-description": "", "items-0-amount": "0", "items-0-incurred_on": future},
        ),
    )
    assert res.status_code == 400
    html = res.content.decode()
    for message in [
        "This field is required.",  # the title
        "IBAN is not valid",
        "Each item needs a description.",
        "An item cannot be dated in the future.",
        "Each amount must be more than zero.",
    ]:
        assert message in html, message
    assert html.count("Each amount must be more than zero.") == 1  # once, next to its field
    assert Expense.objects.count() == 0
    # the picked receipt is kept for the next try, shown with its name and a remove button
    kept = ReceiptUpload.objects.get(uploaded_by=world.submitter)
    assert kept.name == "invoice.pdf" and kept.public_id in html and 'name="remove_receipt"' in html


def test_a_kept_receipt_is_used_once_and_double_submits_make_one_expense(world, client):
    client.force_login(world.submitter)
    url = f"/{world.collective.slug}/expenses/new"
    client.post(url, _form(**{"items-0-amount": "0"}))
    kept = ReceiptUpload.objects.get()
    data = _form(**{"items-0-receipt": "", "items-0-pending": kept.public_id})
    first = client.post(url, data)
    assert first.status_code == 302
    again = client.post(url, data)  # the same form sent twice (double click, retry)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    expense = Expense.objects.get()
    item = expense.items.get()
    assert item.receipt.name == kept.file.name and item.receipt_name == "invoice.pdf"
    assert ReceiptUpload.objects.count() == 0


def test_someone_elses_kept_receipt_cannot_be_attached(world, client):
    client.force_login(world.other_user)
    client.post(f"/{world.collective.slug}/expenses/new", _form(**{"items-0-amount": "0"}))
    theirs = ReceiptUpload.objects.get(uploaded_by=world.other_user)
    client.force_login(world.submitter)
    res = client.post(
        f"/{world.collective.slug}/expenses/new",
        _form(**{"items-0-receipt": "", "items-0-pending": theirs.public_id}),
    )
    assert res.status_code == 400 and "needs its receipt" in res.content.decode()
    assert theirs.public_id not in res.content.decode() and theirs.name not in res.content.decode()
    assert Expense.objects.count() == 0 and ReceiptUpload.objects.filter(pk=theirs.pk).exists()


def test_receipt_upload_endpoint_checks_the_content(world, client):
    client.force_login(world.submitter)
    url = f"/{world.collective.slug}/expenses/receipts/upload"
    ok = client.post(url, {"prefix": "items-0", "items-0-receipt": pdf("taxi.pdf")}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "taxi.pdf" in ok.content.decode()
    exe = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    bad = client.post(url, {"prefix": "items-1", "items-1-receipt": exe})
    assert "PDF, JPEG, PNG or HEIC" in bad.content.decode()
    assert ReceiptUpload.objects.count() == 1
    assert client.post(url, {"prefix": "../../etc", "x": "1"}).status_code == 400
    kept = ReceiptUpload.objects.get()
    removed = client.post(
        f"/{world.collective.slug}/expenses/receipts/remove", {"prefix": "items-0", "items-0-pending": kept.public_id}
    )
    assert removed.status_code == 200 and 'name="items-0-receipt"' in removed.content.decode()
    assert ReceiptUpload.objects.count() == 0
    client.logout()
    assert client.post(url, {"prefix": "items-0"}).status_code == 302  # to the login page


def test_the_submitter_does_not_see_reject_on_their_own_expense(world, client):
    expense = submit(world.collective, world.collective_admin)  # an admin submits their own
    assert not permissions.can_reject(world.collective_admin, expense)
    assert permissions.can_reject(world.host_admin, expense)
    client.force_login(world.collective_admin)
    page = client.get(f"/{world.collective.slug}/expenses/{expense.public_id}").content.decode()
    assert ">Reject<" not in page
    client.force_login(world.host_admin)
    assert ">Reject<" in client.get(f"/{world.collective.slug}/expenses/{expense.public_id}").content.decode()


def test_history_reads_as_sentences_in_the_readers_language(world, client):
    expense = submit(world.collective, world.submitter)
    client.force_login(world.submitter)
    page = client.get(f"/{world.collective.slug}/expenses/{expense.public_id}").content.decode()
    history = page[page.index('<ol class="history">') : page.index("</ol>", page.index('<ol class="history">'))]
    assert "∅" not in history and "created it" in history and "opencity.expense" not in history
    with translation.override("fr"):
        fr = client.get(f"/fr/{world.collective.slug}/expenses/{expense.public_id}").content.decode()
    assert "l'a créée" in fr or "l&#x27;a créée" in fr
