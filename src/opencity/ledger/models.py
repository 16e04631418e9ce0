"""Double-entry ledger (TigerBeetle-style): accounts with cached posted totals, immutable transfers."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.ids import public_id_field


class AccountKind(models.TextChoices):
    COLLECTIVE_FUNDS = "funds", _("Collective funds")
    HOST_FEES = "host_fees", _("Host fees")
    BANK = "bank", _("Bank")
    CLEARING = "clearing", _("Payment processor clearing")
    PROCESSOR_FEES = "processor_fees", _("Payment processor fees")
    PAYOUTS_IN_FLIGHT = "payouts", _("Payouts in flight")
    CONTRIBUTORS = "contributors", _("Contributors (outside world)")
    PAYEES = "payees", _("Payees (outside world)")
    EXTERNAL = "external", _("Outside world")


class TransferKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    HOST_FEE = "host_fee", _("Host fee")
    PROCESSOR_FEE = "processor_fee", _("Payment processor fee")
    ADDED_FUNDS = "added_funds", _("Added funds")
    COLLECTIVE_TRANSFER = "collective_transfer", _("Transfer between collectives")
    EXPENSE = "expense", _("Expense")
    BANK_FEE = "bank_fee", _("Bank fee")
    REFUND = "refund", _("Refund")
    TICKET = "ticket", _("Ticket")
    SETTLEMENT = "settlement", _("Settlement")


class AccountQuerySet(models.QuerySet):
    def with_stripes(self):
        """Each account with what its stripes hold (`striped_debits`, `striped_credits`; ledger/stripes.py), so
        its totals and balance need no further query."""
        part = AccountStripe.objects.filter(account=OuterRef("pk")).order_by().values("account")
        return self.annotate(
            striped_debits=Coalesce(Subquery(part.annotate(s=Sum("debits")).values("s")), 0),
            striped_credits=Coalesce(Subquery(part.annotate(s=Sum("credits")).values("s")), 0),
        )


class Account(models.Model):
    """One per (host, kind, owner). Its totals are its row's posted columns plus, for a host's own (unguarded)
    accounts, its stripes (ledger/stripes.py); a collective's funds are one row read."""

    host = models.ForeignKey("hosting.Host", on_delete=models.PROTECT, related_name="ledger_accounts")
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    # No single-column index: account_unique_collective_owner (collective, kind) serves `collective = X`.
    collective = models.ForeignKey(
        "hosting.Collective",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        db_index=False,
    )
    processor = models.CharField(max_length=30, blank=True, default="")
    currency = models.CharField(max_length=3)
    # Funds accounts refuse any transfer that would make them negative (debits may not exceed credits).
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    debits_posted = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["host", "kind", "processor"],
                condition=models.Q(collective__isnull=True),
                name="account_unique_host_owner",
            ),
            models.UniqueConstraint(
                fields=["collective", "kind"],
                condition=models.Q(collective__isnull=False),
                name="account_unique_collective_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(debits_must_not_exceed_credits=False)
                | models.Q(debits_posted__lte=models.F("credits_posted")),
                name="account_no_overdraft",
            ),
            # A collective's funds account always carries the overdraft guard (its flag is also immutable:
            # see dbguard.install_account_triggers).
            models.CheckConstraint(
                condition=~models.Q(kind="funds") | models.Q(debits_must_not_exceed_credits=True),
                name="account_funds_guarded",
            ),
            models.CheckConstraint(
                condition=models.Q(debits_posted__gte=0) & models.Q(credits_posted__gte=0),
                name="account_totals_non_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = self.collective.slug if self.collective_id else self.processor or ""
        return f"{self.get_kind_display()} {owner}".strip()

    def striped(self) -> tuple[int, int]:
        """(debits, credits) held in this account's stripes: annotated by `with_stripes`, else read."""
        if self.debits_must_not_exceed_credits:  # guarded: always posted under its row's lock, never striped
            return 0, 0
        if hasattr(self, "striped_debits"):
            return self.striped_debits, self.striped_credits
        sums = self.stripes.aggregate(d=Coalesce(Sum("debits"), 0), c=Coalesce(Sum("credits"), 0))
        return sums["d"], sums["c"]

    @property
    def totals(self) -> tuple[int, int]:
        """(debits, credits) ever posted."""
        d, c = self.striped()
        return self.debits_posted + d, self.credits_posted + c

    @property
    def debits_total(self) -> int:
        return self.totals[0]

    @property
    def credits_total(self) -> int:
        return self.totals[1]

    @property
    def balance(self) -> int:
        """Credit-normal balance in minor units (what a collective holds)."""
        debits, credits = self.totals
        return credits - debits


class AccountStripe(models.Model):
    """What the journals holding stripe `stripe` posted to an unguarded account (see ledger/stripes.py)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="stripes", db_index=False)
    stripe = models.PositiveSmallIntegerField()
    debits = models.BigIntegerField(default=0)
    credits = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of every read (an account's stripes).
            models.UniqueConstraint(fields=["account", "stripe"], name="account_stripe_key"),
            models.CheckConstraint(
                condition=models.Q(debits__gte=0) & models.Q(credits__gte=0), name="account_stripe_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} stripe {self.stripe}"


class Journal(models.Model):
    """The transfers of one business event (a contribution with its fees, an expense payment, a reversal)."""

    public_id = public_id_field("jrn")
    # Indexed by (host, effective_date) below.
    host = models.ForeignKey("hosting.Host", on_delete=models.PROTECT, related_name="journals", db_index=False)
    kind = models.CharField(max_length=30, choices=TransferKind.choices)
    description = models.CharField(max_length=300, blank=True)
    # Unique through a constraint (not unique=True): PostgreSQL then skips a useless LIKE index.
    idempotency_key = models.CharField(max_length=200)
    effective_date = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What caused it: ("contribution", "con_…"), ("expense", "exp_…"), ("added_funds", "")…
    source_type = models.CharField(max_length=30, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    # Who is on the other side, for public pages: a person (shown by public name unless anonymous) or a label.
    person = models.ForeignKey(
        "community.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="journals"
    )
    anonymous = models.BooleanField(default=False)
    counterparty_label = models.CharField(max_length=200, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField(max_length=300, blank=True)
    # What happened, as data: the sentence is written at display time in the reader's language (see
    # ledger/phrases.py). Empty for a person's own words (`description` is then shown as written).
    facts = models.JSONField(null=True, blank=True)

    class Meta:
        # Few indexes on purpose: every index is paid on each of millions of inserts. Which query uses which
        # index (checked with EXPLAIN on a million transfers, issue 15; bench/scale builds that database):
        # - pkey: every join from transfers; public_id_key: `/…/added-funds/<jrn_…>/reverse`, API by id
        #   (the LIKE twin of public_id_key is dropped by migration 0010: nothing searches ids by prefix);
        # - journal_idempotency_key_unique: post_journal's "same key returns the first journal";
        # - host + effective_date: insights over a window (transparency/insights.py);
        # - journal_source: a contribution's / expense's journals (refunds, payouts, reconciliation);
        # - journal_added_funds (partial, only added-funds rows pay for it): the host's books page list;
        # - person, created_by, reverses (FK / one-to-one): erasure, user deletion, "already reversed?".
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="journal_idempotency_key_unique")]
        indexes = [
            models.Index(fields=["host", "effective_date"], name="ledger_jour_host_id_c0f24a_idx"),
            models.Index(fields=["source_type", "source_id"], name="journal_source"),
            models.Index(
                fields=["host", "-effective_date", "-id"],
                condition=models.Q(kind="added_funds", reverses__isnull=True),
                name="journal_added_funds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind}"


class ImmutableTransferQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Transfers are immutable: post a reversal instead")

    def delete(self):
        raise TypeError("Transfers are immutable: post a reversal instead")


class Transfer(models.Model):
    """One movement of money from `debit_account` to `credit_account`. Never updated nor deleted."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="transfers")
    # No single-column index: the statement indexes below start with these columns.
    debit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits", db_index=False)
    credit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits", db_index=False)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=30, choices=TransferKind.choices)
    description = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=220)  # unique: see Meta
    reversal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # Copied from the journal so statements filter, order and group by month on one table.
    effective_date = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ImmutableTransferQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transfer_amount_positive"),
            models.UniqueConstraint(fields=["idempotency_key"], name="transfer_idempotency_key_unique"),
            models.CheckConstraint(
                condition=~models.Q(debit_account=models.F("credit_account")), name="transfer_accounts_differ"
            ),
        ]
        # Which query uses which index (EXPLAIN on a million transfers, issue 15):
        # - transfer_debit_stmt / transfer_credit_stmt: a collective's statement, one side each, pages at any
        #   depth bounded by the row value (effective_date, journal) (transparency/statements.py), and the
        #   cached-total and check-ledger sums per account;
        # - transfer_date: the general ledger and its line count for a date range (ledger/exports.py);
        # - transfer_expense (partial: expenses only, a few rows among millions): spending by category across
        #   collectives — insights and "collectives like this one" on every collective page;
        # - journal (FK): a journal's transfers (statement page rows, reversals, prefetches);
        # - idempotency key (unique), reversal_of (one-to-one): post_journal's retries, "already reversed?".
        indexes = [
            # A collective's statement: its funds account's transfers, newest first, by journal.
            models.Index(fields=["debit_account", "-effective_date", "-journal", "id"], name="transfer_debit_stmt"),
            models.Index(fields=["credit_account", "-effective_date", "-journal", "id"], name="transfer_credit_stmt"),
            # The host's general ledger for a date range.
            models.Index(fields=["effective_date", "id"], name="transfer_date"),
            # Spending by category across collectives (transparency/insights.py).
            models.Index(fields=["effective_date"], condition=models.Q(kind="expense"), name="transfer_expense"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Transfers are immutable: post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Transfers are immutable: post a reversal instead")


class MonthlyRollup(models.Model):
    """Derived data: the transfers of one account in one month, summed per kind (see ledger/rollups.py).

    Kept by database triggers on every INSERT into ledger_transfer (whatever path inserts), in the same
    transaction; `check-ledger` compares it with the transfers. `reversal_kind` is the kind of the transfer
    a reversal undoes ("" for an original), so pages can count a reversal against what it reverses.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="rollups", db_index=False)
    month = models.DateField()  # the first day of the month of the transfers' effective_date
    kind = models.CharField(max_length=30, choices=TransferKind.choices)
    reversal_kind = models.CharField(max_length=30, blank=True, default="")
    # 0, or for an unguarded account the stripe of the journals that wrote it (ledger/stripes.py).
    stripe = models.PositiveSmallIntegerField(default=0, db_default=0)
    debits = models.BigIntegerField(default=0)
    credits = models.BigIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index every read uses (account first, then month).
            models.UniqueConstraint(fields=["account", "month", "kind", "reversal_kind", "stripe"], name="rollup_key"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} {self.kind}"
