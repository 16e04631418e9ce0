"""Expenses: a request for money out of a collective, its items and receipts, its workflow and payouts."""

import os

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.core.ids import new_public_id, public_id_field


class ExpenseType(models.TextChoices):
    REIMBURSEMENT = "reimbursement", _("Reimbursement (with receipts)")
    INVOICE = "invoice", _("Invoice")


class BuiltinCategory(models.TextChoices):
    VENUE = "venue", pgettext_lazy("expense category", "Venue")
    FOOD = "food", _("Food and drinks")
    PRINTING = "printing", _("Printing")
    TRANSPORT = "transport", _("Transport")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class PayeeType(models.TextChoices):
    SELF = "self", _("Myself")
    ORGANISATION = "organisation", _("An organisation")


class ExpenseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    INCOMPLETE = "incomplete", _("Incomplete")
    ON_HOLD = "on_hold", _("On hold")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("expense", "Rejected")
    SCHEDULED = "scheduled", _("Scheduled for payment")
    PAID = "paid", _("Paid")
    ERROR = "error", _("Payment error")


class ExpenseCategory(models.Model):
    """A category a host adds to the built-in ones (e.g. "Insurance")."""

    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="expense_categories")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "code"], name="expense_category_unique_code")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PayoutMethod(models.Model):
    """A bank account a person has given to be paid on, saved for reuse. Private."""

    public_id = public_id_field("pm")
    person = models.ForeignKey("community.Person", on_delete=models.CASCADE, related_name="payout_methods")
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=70)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "iban", "account_holder"], name="payout_method_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_holder} · …{self.iban[-4:]}"

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"


class Expense(models.Model):
    public_id = public_id_field("exp")
    collective = models.ForeignKey("hosting.Collective", on_delete=models.PROTECT, related_name="expenses")
    type = models.CharField(_("type"), max_length=20, choices=ExpenseType.choices)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=40, default=BuiltinCategory.OTHER)
    # The event this spending was for: its costs appear in the event's public result.
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
        verbose_name=_("event"),
    )
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(_("amount"))
    status = models.CharField(max_length=20, choices=ExpenseStatus.choices, default=ExpenseStatus.DRAFT, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expenses")
    payee_type = models.CharField(max_length=20, choices=PayeeType.choices, default=PayeeType.SELF)
    payee_person = models.ForeignKey(
        "community.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="expenses"
    )
    payee_name = models.CharField(_("payee name"), max_length=200)
    payout_method = models.ForeignKey(PayoutMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Structured payee address (private; all empty = none in the SEPA file).
    address_street = models.CharField(_("street"), max_length=70, blank=True)
    address_number = models.CharField(_("number"), max_length=16, blank=True)
    address_postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    address_town = models.CharField(_("town"), max_length=35, blank=True)
    address_country = models.CharField(_("country"), max_length=2, blank=True)
    # Invoices: the supplier's details.
    invoice_number = models.CharField(_("invoice number"), max_length=60, blank=True)
    supplier_vat = models.CharField(_("supplier VAT number"), max_length=30, blank=True)
    private_note = models.TextField(_("note for the admins (private)"), blank=True)
    # Approvals of the current submission round only (marking incomplete starts a new round).
    submission_round = models.PositiveIntegerField(default=0)
    # A form token or the API's Idempotency-Key: submitting the same form twice creates one expense.
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    # The journal of a direct "mark as paid" (batch payments keep theirs on the PayoutLine).
    paid_journal = models.ForeignKey(
        "ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=models.Q(amount__lte=10**11), name="expense_amount_max"),
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="expense_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["collective", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.title}"


def receipt_upload_to(instance, filename: str) -> str:
    """A random, unguessable name; the original name is kept in the row, never in the path."""
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"receipts/{timezone.now():%Y/%m}/{new_public_id('r', 24)}{ext}"


class ExpenseItem(models.Model):
    public_id = public_id_field("itm")
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(_("description"), max_length=200)
    incurred_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount"))
    receipt = models.FileField(upload_to=receipt_upload_to, blank=True, max_length=200)
    receipt_name = models.CharField(max_length=200, blank=True)
    receipt_content_type = models.CharField(max_length=60, blank=True)
    receipt_size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_item_amount_positive"),
        ]


class ReceiptUpload(models.Model):
    """A receipt uploaded as soon as it was picked, before its expense form was sent; private to its uploader.

    It survives form errors and "Add an item" round trips; saving the expense moves the file to the item
    and deletes this row.
    """

    public_id = public_id_field("rcu")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=receipt_upload_to, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["uploaded_by", "-created_at"])]


class ExpenseEvent(models.Model):
    """One status change (or approval) of an expense: who, from, to, when, note."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)  # opencity.expense.approved, …
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class ExpenseApproval(models.Model):
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expense", "by", "round"], name="expense_approval_once_per_round")
        ]


class ExpenseComment(models.Model):
    public_id = public_id_field("cmt")
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"))
    private = models.BooleanField(_("private (only the people involved see it)"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class PayoutBatch(models.Model):
    """One SEPA credit-transfer file for the host's bank, with the expenses it pays."""

    class Status(models.TextChoices):
        READY = "ready", _("File ready")
        SENT = "sent", _("Sent to the bank")
        PAID = "paid", _("Paid")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = public_id_field("pay")
    host = models.ForeignKey("hosting.Host", on_delete=models.PROTECT, related_name="payout_batches")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY, db_index=True)
    schema = models.CharField(max_length=20, default="pain.001.001.09")
    message_id = models.CharField(max_length=35)
    execution_date = models.DateField()
    currency = models.CharField(max_length=3)
    total = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="payouts/%Y/%m/", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class PayoutLine(models.Model):
    """One expense in one batch, with its end-to-end id (what the bank statement will quote back)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="lines")
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="payout_lines")
    amount = models.BigIntegerField()
    # The account the file pays (the expense's IBAN when the line was made): sending and confirming the file
    # check that the expense still says the same amount and IBAN.
    iban = models.CharField(max_length=34, blank=True)
    end_to_end_id = models.CharField(max_length=35, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    in_flight_journal = models.ForeignKey(
        "ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_journal = models.ForeignKey(
        "ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_line_amount_positive"),
            # An expense is in at most one open line at a time.
            models.UniqueConstraint(
                fields=["expense"], condition=models.Q(status="open"), name="payout_line_one_open_per_expense"
            ),
        ]
