"""The host's bank accounts, the statements imported from its bank, their lines and what each line became.

Amounts are signed integers of minor units from the bank's point of view of the host: + money in, − out.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.ids import public_id_field


class BankAccount(models.Model):
    """One of the host's accounts at a bank. The first one is the host's main account in the ledger."""

    public_id = public_id_field("bac")
    host = models.ForeignKey("hosting.Host", on_delete=models.PROTECT, related_name="bank_accounts")
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    beneficiary = models.CharField(_("beneficiary"), max_length=70)
    label = models.CharField(_("label"), max_length=100, blank=True)
    # Which ledger BANK account it is: "" for the host's main one, "bank:<public id>" for the others.
    ledger_processor = models.CharField(max_length=30, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["iban"], name="bank_account_iban_unique"),
            models.UniqueConstraint(fields=["host", "ledger_processor"], name="bank_account_ledger_unique"),
        ]

    def __str__(self) -> str:
        return self.label or self.iban


class PaymentReference(models.Model):
    """A Belgian structured communication (12 digits, mod 97) that names one contribution, and its membership."""

    communication = models.CharField(max_length=12, unique=True)
    host = models.ForeignKey("hosting.Host", on_delete=models.PROTECT, related_name="+")
    contribution = models.OneToOneField(
        "contributions.Contribution", on_delete=models.PROTECT, related_name="payment_reference"
    )
    recurring = models.ForeignKey(
        "contributions.RecurringContribution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_references",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.communication


class Format(models.TextChoices):
    CAMT053 = "camt053", "CAMT.053"
    CODA = "coda", "CODA"


class BankStatement(models.Model):
    public_id = public_id_field("bst")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="statements")
    format = models.CharField(max_length=10, choices=Format.choices)
    # The bank's id of the statement, or a hash of its account, period and balances: imported once.
    key = models.CharField(max_length=100)
    reference = models.CharField(max_length=100, blank=True)
    from_date = models.DateField()
    to_date = models.DateField()
    opening_balance = models.BigIntegerField()
    closing_balance = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    line_count = models.PositiveIntegerField(default=0)  # lines in the file (some may be known already)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["to_date", "from_date", "id"]
        constraints = [models.UniqueConstraint(fields=["bank_account", "key"], name="bank_statement_once")]

    def __str__(self) -> str:
        return f"{self.bank_account} {self.from_date}–{self.to_date}"


class LineState(models.TextChoices):
    NEW = "new", _("Not matched yet")
    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")
    ASSIGNED = "assigned", _("Assigned to a collective")
    HOST = "host", _("Host's own movement")
    LEFT = "left", _("Left aside")


class MatchKind(models.TextChoices):
    NONE = "", _("None")
    CONTRIBUTION = "contribution", _("Contribution")
    MEMBERSHIP = "membership", _("Standing order")
    PAYOUT = "payout", _("Payout")
    PROCESSOR = "processor", _("Processor payout")
    ADDED_FUNDS = "added_funds", _("Added funds")
    PERSON = "person", _("Contribution from a person")
    HOST = "host", _("Host's own movement")


class BankStatementLine(models.Model):
    public_id = public_id_field("bln")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="lines")
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    # The bank's reference for the line, else a stable hash of its content: each line is stored once.
    key = models.CharField(max_length=100)
    booking_date = models.DateField()
    value_date = models.DateField(null=True, blank=True)
    amount = models.BigIntegerField()  # + credit (money in), − debit
    currency = models.CharField(max_length=3)
    counterparty_name = models.CharField(max_length=140, blank=True)
    counterparty_iban = models.CharField(max_length=34, blank=True)
    communication = models.CharField(max_length=500, blank=True)
    structured_communication = models.CharField(max_length=12, blank=True, db_index=True)
    end_to_end_id = models.CharField(max_length=100, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=LineState.choices, default=LineState.NEW, db_index=True)
    match_kind = models.CharField(max_length=15, choices=MatchKind.choices, blank=True, default="")
    contribution = models.ForeignKey(
        "contributions.Contribution", null=True, blank=True, on_delete=models.PROTECT, related_name="bank_lines"
    )
    collective = models.ForeignKey(
        "hosting.Collective", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The journal that put this line in the ledger's bank account (its reversal, if undone, points back to it).
    journal = models.ForeignKey("ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Set when the amount differs from what was expected (recorded as received; an admin should look).
    flag = models.CharField(max_length=30, blank=True)
    undo_count = models.PositiveIntegerField(default=0)  # makes each re-assignment's ledger key unique
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["booking_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bank_account", "key"], name="bank_line_once"),
            models.CheckConstraint(condition=~Q(amount=0), name="bank_line_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["bank_account", "state"], name="bank_line_state")]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_credit(self) -> bool:
        return self.amount > 0


class BankLineEvent(models.Model):
    """Every change of a line's state: who, from, to, when, what."""

    line = models.ForeignKey(BankStatementLine, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
