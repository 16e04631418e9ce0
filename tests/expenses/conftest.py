"""Expense test helpers: funded collectives, receipts made in code, expenses built through the services."""

import datetime as dt
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opencity.expenses import approvals, services
from opencity.expenses.demo import demo_iban, tiny_pdf, tiny_png
from opencity.expenses.models import ExpenseStatus
from opencity.ledger import services as ledger
from tests.conftest import enable_2fa, make_collective, make_host, make_user  # noqa: F401 (re-exported)

_n = itertools.count(1)


def pdf(name="receipt.pdf"):
    return SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf")


def png(name="receipt.png"):
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def fund(collective, amount: int):
    host_admin = collective.host.admins.first()
    return ledger.added_funds_record(
        collective=collective,
        amount=amount,
        source="Sponsor",
        description="Seed money",
        charge_host_fee=False,
        by=host_admin,
        system=True,  # seeding test money, as the demo seeder does; the 2FA rule has its own tests
    )


def item(amount=1250, receipt="pdf", days_ago=2, description="Flyers"):
    file = {"pdf": pdf, "png": png}[receipt]() if receipt else None
    return services.ItemInput(
        description=description,
        incurred_on=timezone.localdate() - dt.timedelta(days=days_ago),
        amount=amount,
        receipt=file,
    )


def payee(iban=None, **kw):
    return services.PayeeInput(iban=iban or demo_iban(next(_n)), account_holder=kw.pop("holder", "Ada Lovelace"), **kw)


def submit(collective, by, amount=1250, draft=False, **kw):
    return services.expense_create(
        collective=collective,
        by=by,
        type=kw.pop("type", "reimbursement"),
        title=kw.pop("title", "Flyers"),
        category=kw.pop("category", "printing"),
        items=kw.pop("items", None) or [item(amount)],
        payee=kw.pop("payee", None) or payee(),
        draft=draft,
        **kw,
    )


def approved(collective, by, amount=1250, approver=None, **kw):
    expense = submit(collective, by, amount, **kw)
    approver = approver or collective.admins.first()
    return approvals.expense_approve(expense=expense, by=approver)


class World:
    """Every role around one expense: submitter, other user, admins of this and another collective and host."""

    def __init__(self):
        self.host = make_host()
        self.host_admin = enable_2fa(self.host.admins.first())
        self.collective = make_collective(self.host)
        self.collective_admin = self.collective.admins.first()
        self.other_collective = make_collective(self.host)
        self.other_collective_admin = self.other_collective.admins.first()
        self.other_host = make_host()
        self.other_host_admin = enable_2fa(self.other_host.admins.first())
        self.submitter = make_user(name="Sam Submitter")
        self.other_user = make_user()
        fund(self.collective, 100_000)

    def user(self, role):
        return {
            "submitter": self.submitter,
            "other_user": self.other_user,
            "collective_admin": self.collective_admin,
            "other_collective_admin": self.other_collective_admin,
            "host_admin": self.host_admin,
            "other_host_admin": self.other_host_admin,
            "anonymous": None,
        }[role]


ROLES = [
    "submitter",
    "other_user",
    "collective_admin",
    "other_collective_admin",
    "host_admin",
    "other_host_admin",
    "anonymous",
]

# Who may do what, the same on pages and in the API: role → allowed, and the status an action leads to.
ALLOWED = {
    "approve": {"collective_admin", "host_admin"},
    "reject": {"collective_admin", "host_admin"},
    "hold": {"host_admin"},
    "incomplete": {"host_admin"},
    "pay": {"host_admin"},
    "comment": {"submitter", "collective_admin", "host_admin"},
}
AFTER = {
    "approve": ExpenseStatus.APPROVED,
    "reject": ExpenseStatus.REJECTED,
    "hold": ExpenseStatus.ON_HOLD,
    "incomplete": ExpenseStatus.INCOMPLETE,
    "pay": ExpenseStatus.PAID,
}


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def mails(monkeypatch, mailoutbox):
    """Expense emails are sent after commit; tests run inside one transaction, so send them at once.

    test_emails_wait_for_commit proves the real after-commit behaviour.
    """
    monkeypatch.setattr("opencity.expenses.notifications.on_commit", lambda fn: fn())
    return mailoutbox
