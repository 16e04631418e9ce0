"""Tiers, contributions (one payment each), recurring contributions (memberships) and their events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.core.ids import public_id_field
from opencity.money import MAX_AMOUNT_MINOR


class Interval(models.TextChoices):
    ONE_TIME = "once", _("One time")
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Tier(models.Model):
    class Type(models.TextChoices):
        DONATION = "donation", _("Donation")
        MEMBERSHIP = "membership", _("Membership")

    class AmountType(models.TextChoices):
        FIXED = "fixed", _("Fixed amount")
        FLEXIBLE = "flexible", _("Flexible amount")

    public_id = public_id_field("tier")
    collective = models.ForeignKey("hosting.Collective", on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(max_length=60)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices, default=Type.DONATION)
    amount_type = models.CharField(_("amount"), max_length=10, choices=AmountType.choices, default=AmountType.FLEXIBLE)
    # Minor units. Fixed tiers charge `amount`; flexible ones suggest `amount` and `presets`, refuse below `minimum`.
    amount = models.BigIntegerField(_("amount (minor units)"), null=True, blank=True)
    presets = models.JSONField(_("preset amounts (minor units)"), default=list, blank=True)
    minimum = models.BigIntegerField(_("minimum (minor units)"), default=100)
    interval = models.CharField(_("interval"), max_length=8, choices=Interval.choices, default=Interval.ONE_TIME)
    goal = models.BigIntegerField(_("goal (minor units)"), null=True, blank=True)
    quantity_limit = models.PositiveIntegerField(_("available quantity"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collective", "slug"], name="tier_slug_unique_per_collective"),
            models.CheckConstraint(condition=Q(minimum__gt=0), name="tier_minimum_positive"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | (Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT_MINOR)),
                name="tier_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(amount_type="fixed") | Q(amount__isnull=False), name="tier_fixed_has_amount"
            ),
            models.CheckConstraint(condition=Q(goal__isnull=True) | Q(goal__gt=0), name="tier_goal_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_recurring(self) -> bool:
        return self.interval != Interval.ONE_TIME


class RecurringContribution(models.Model):
    """A membership: one payment per interval, by Stripe subscription or by the demo card."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("contribution", "Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELLED = "cancelled", pgettext_lazy("contribution", "Cancelled")

    public_id = public_id_field("rec")
    collective = models.ForeignKey(
        "hosting.Collective", on_delete=models.PROTECT, related_name="recurring_contributions"
    )
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="recurring")
    person = models.ForeignKey("community.Person", on_delete=models.PROTECT, related_name="recurring_contributions")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    interval = models.CharField(max_length=8, choices=Interval.choices)
    payment_method = models.CharField(max_length=30)

    @property
    def payment_method_label(self) -> str:
        return payment_method_name(self.payment_method)

    anonymous = models.BooleanField(default=False)
    # The name typed at checkout, and whether the email's owner is known to have given (see Contribution).
    contributor_name = models.CharField(max_length=200, blank=True)
    identity_verified = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    next_expected_date = models.DateField(null=True, blank=True)
    # The day of the month a bank standing order pays on (the first payment's day): 31 stays 31, clamped
    # to shorter months, so it never drifts to the 28th after February.
    anchor_day = models.PositiveSmallIntegerField(null=True, blank=True)
    past_due_since = models.DateField(null=True, blank=True)
    processor_subscription_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    cancel_token = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT_MINOR), name="recurring_amount_positive"
            ),
            models.CheckConstraint(condition=~Q(interval="once"), name="recurring_has_interval"),
        ]

    def __str__(self) -> str:
        return self.public_id


# How a contribution was paid, as receipts and pages name it (the stored value is the provider's code).
PAYMENT_METHOD_NAMES = {
    "demo": _("Demo card (no real money)"),
    "stripe": _("Card"),
    "bank_transfer": _("Bank transfer"),
    "manual": _("Recorded by the host"),
}


def payment_method_name(code: str) -> str:
    return str(PAYMENT_METHOD_NAMES.get(code, code))


class Contribution(models.Model):
    """One payment to a collective. Money moves only when it is settled (status PAID), via the ledger."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", pgettext_lazy("contribution", "Failed")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", pgettext_lazy("contribution", "Refunded")
        DISPUTED = "disputed", _("Disputed")
        CANCELLED = "cancelled", pgettext_lazy("contribution", "Cancelled")

    class Purpose(models.TextChoices):
        """What the payment is for; settlement tells the purpose's owner (payments.pipeline) once it settles."""

        GIFT = "gift", _("Gift")
        MEMBERSHIP = "membership", _("Membership")
        TICKET = "ticket", _("Tickets")

    public_id = public_id_field("con")
    collective = models.ForeignKey("hosting.Collective", on_delete=models.PROTECT, related_name="contributions")
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.GIFT, db_index=True)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions")
    recurring = models.ForeignKey(
        RecurringContribution, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    person = models.ForeignKey("community.Person", on_delete=models.PROTECT, related_name="contributions")
    amount = models.BigIntegerField(_("amount"))  # what the contributor pays, fees covered included
    covered_fees = models.BigIntegerField(default=0)  # the part of `amount` added to cover fees
    currency = models.CharField(max_length=3)
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.ONE_TIME)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    payment_method = models.CharField(max_length=30)

    @property
    def payment_method_label(self) -> str:
        return payment_method_name(self.payment_method)

    anonymous = models.BooleanField(default=False)
    public_message = models.CharField(_("public message"), max_length=500, blank=True)
    cover_fees = models.BooleanField(default=False)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_website = models.URLField(_("organisation website"), blank=True)
    organisation_vat = models.CharField(_("VAT number"), max_length=20, blank=True)
    language = models.CharField(max_length=8, blank=True)
    # The name as typed at checkout: shown publicly (unless anonymous), never replaced by a stored one.
    contributor_name = models.CharField(max_length=200, blank=True)
    # An email in a form proves nothing: a guest's gift joins the person's history, totals and statements only
    # once the email's owner confirms it ("this was me" link in the receipt). A signed-in giver is verified.
    identity_verified = models.BooleanField(default=False)
    # Idempotency keys belong to their caller (a user, or the browser session of a guest), as Stripe scopes
    # them to an account: another client's same key makes its own contribution.
    idempotency_scope = models.CharField(max_length=80, blank=True, default="")
    idempotency_token = models.CharField(max_length=64, null=True, blank=True)
    # Settlement
    journal = models.OneToOneField(
        "ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="contribution"
    )
    processor_fee = models.BigIntegerField(default=0)
    host_fee = models.BigIntegerField(default=0)
    amount_refunded = models.BigIntegerField(default=0)  # the sum of its ContributionRefunds
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    receipt_number = models.CharField(max_length=30, null=True, blank=True, unique=True)
    # Processor references
    external_checkout_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    external_payment_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    external_invoice_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT_MINOR), name="contribution_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(covered_fees__gte=0) & Q(covered_fees__lt=models.F("amount")),
                name="contribution_covered_fees_range",
            ),
            models.CheckConstraint(
                condition=Q(processor_fee__gte=0) & Q(host_fee__gte=0), name="contribution_fees_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=models.F("amount")),
                name="contribution_refunded_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(journal__isnull=False) & Q(paid_at__isnull=False)),
                name="contribution_paid_has_journal",
            ),
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_token"],
                condition=Q(idempotency_token__isnull=False),
                name="contribution_idempotency_per_caller",
            ),
        ]
        indexes = [models.Index(fields=["collective", "status", "paid_at"])]

    def __str__(self) -> str:
        return self.public_id

    @property
    def net_amount(self) -> int:
        return self.amount - self.processor_fee - self.host_fee

    @property
    def kept_amount(self) -> int:
        """What the contributor finally gave: the amount less what was refunded."""
        return self.amount - self.amount_refunded


class ContributionEvent(models.Model):
    """Every status change of a contribution: who, from, to, when, why."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class ContributionRefund(models.Model):
    """One refund of (part of) a contribution, once per processor refund id, with what it posted.

    The processor keeps its fee on a refund unless its refund balance transaction says otherwise
    (`processor_fee_returned`); the host gives its fee back in proportion (`host_fee_returned`).
    """

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="refunds")
    external_id = models.CharField(max_length=100, unique=True)  # Stripe's re_…, or the demo's own id
    amount = models.BigIntegerField()
    host_fee_returned = models.BigIntegerField(default=0)
    processor_fee_returned = models.BigIntegerField(default=0)
    journal = models.OneToOneField("ledger.Journal", on_delete=models.PROTECT, related_name="contribution_refund")
    # The processor reported the refund failed (the money came back): the reversal of `journal`. A failed
    # refund no longer counts as refunded.
    failed_journal = models.OneToOneField(
        "ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="failed_contribution_refund"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(host_fee_returned__gte=0) & Q(processor_fee_returned__gte=0),
                name="contribution_refund_fees_non_negative",
            ),
        ]


class RecurringEvent(models.Model):
    recurring = models.ForeignKey(RecurringContribution, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class ReceiptCounter(models.Model):
    """Per host and year, the last receipt number given; incremented under a row lock."""

    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "year"], name="receipt_counter_unique")]


class ExchangeRate(models.Model):
    """ECB euro reference rates (1 EUR = rate units), for information only: money never converts."""

    currency = models.CharField(max_length=3, unique=True)
    rate = models.DecimalField(max_digits=18, decimal_places=6)
    date = models.DateField()
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive")]


class RefundIntent(models.Model):
    """A refund an admin asked for, recorded before the processor is called (its key is the processor's
    idempotency key, so a retry after a crash gets the same refund), with the admin's reason: the public
    statement line shows it. `external_id` is the processor's refund id once it answered."""

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="refund_intents")
    idempotency_key = models.CharField(max_length=120, unique=True)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    failed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_intent_amount_positive")]
