"""Events, ticket types, orders (with their place holds), tickets and check-ins, series, waiting lists."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.ids import public_id_field
from opencity.money import MAX_AMOUNT_MINOR

# Ticket codes: no look-alike characters (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), so a code typed at the door is
# unambiguous. 10 characters of 24 symbols ≈ 46 bits: unguessable, short enough to read aloud.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 10


class EventSeries(models.Model):
    """A recurring event ("first Wednesday of every month"): an RFC 5545 RRULE from a local start time."""

    public_id = public_id_field("ser")
    collective = models.ForeignKey("hosting.Collective", on_delete=models.CASCADE, related_name="event_series")
    title = models.CharField(_("title"), max_length=200)
    rrule = models.CharField(_("repeat rule (RRULE)"), max_length=300)
    first_start = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=120)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = public_id_field("evt")
    collective = models.ForeignKey("hosting.Collective", on_delete=models.PROTECT, related_name="events")
    series = models.ForeignKey(
        EventSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (Markdown)"), blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Sent only to attendees, in their ticket email; never shown on public pages.
    private_instructions = models.TextField(_("instructions for attendees (private)"), blank=True)
    accent_colour = models.CharField(_("accent colour"), max_length=7, blank=True)
    # Re-encoded by events.branding (no metadata, never SVG), served by events.branding_views under their hash.
    logo = models.FileField(_("logo"), upload_to="events/", blank=True, max_length=200)
    cover = models.FileField(_("cover image"), upload_to="events/", blank=True, max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    helpers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="door_helper_of")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collective", "slug"], name="event_slug_unique_per_collective"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    def _image_url(self, field) -> str:
        import os

        from django.urls import reverse

        if not field:
            return ""
        return reverse("events:image", args=[self.collective.slug, self.slug, os.path.basename(field.name)])

    @property
    def logo_url(self) -> str:
        return self._image_url(self.logo)

    @property
    def cover_url(self) -> str:
        return self._image_url(self.cover)


class TicketType(models.Model):
    public_id = public_id_field("tt")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(_("name"), max_length=100)
    price = models.BigIntegerField(_("price"), default=0)  # minor units; 0 = free registration
    currency = models.CharField(max_length=3)
    quantity = models.PositiveIntegerField(_("places"))
    sales_start = models.DateTimeField(_("sales open"), null=True, blank=True)
    sales_end = models.DateTimeField(_("sales close"), null=True, blank=True)
    max_per_order = models.PositiveSmallIntegerField(_("maximum per order"), default=10)
    questions = models.JSONField(_("questions to each attendee"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0) & Q(price__lte=MAX_AMOUNT_MINOR), name="ticket_type_price_range"
            ),
            models.CheckConstraint(condition=Q(max_per_order__gte=1), name="ticket_type_max_per_order_positive"),
            models.CheckConstraint(
                condition=Q(sales_start__isnull=True)
                | Q(sales_end__isnull=True)
                | Q(sales_end__gt=models.F("sales_start")),
                name="ticket_type_sales_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0


class Order(models.Model):
    """One purchase: its tickets hold places while PENDING (until `hold_expires_at`), keep them once CONFIRMED."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        CONFIRMED = "confirmed", _("Confirmed")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")

    public_id = public_id_field("ord")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="orders")
    person = models.ForeignKey("community.Person", on_delete=models.PROTECT, related_name="ticket_orders")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    total = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    contribution = models.OneToOneField(
        "contributions.Contribution", null=True, blank=True, on_delete=models.PROTECT, related_name="ticket_order"
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    contact_consent = models.BooleanField(default=False)
    contact_consent_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    # Who owns the idempotency token (see contributions.services.idempotency_scope): a key is never shared.
    idempotency_scope = models.CharField(max_length=50, blank=True)
    idempotency_token = models.CharField(max_length=64, null=True, blank=True)
    # A payment that arrived after the hold lapsed and the places were gone: an admin refunds it.
    needs_refund = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_non_negative"),
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_token"],
                condition=Q(idempotency_token__isnull=False),
                name="order_idempotency_once_per_caller",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "hold_expires_at"])]

    def __str__(self) -> str:
        return self.public_id


class OrderEvent(models.Model):
    """Every status change of an order: who, from, to, when, why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Ticket(models.Model):
    public_id = public_id_field("tkt")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tickets")
    attendee_name = models.CharField(_("name"), max_length=200)
    attendee_email = models.EmailField(_("email"), blank=True)
    code = models.CharField(max_length=CODE_LENGTH, unique=True)
    answers = models.JSONField(default=dict, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    door = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket_type", "order"])]

    def __str__(self) -> str:
        return self.code


class WaitingListEntry(models.Model):
    """A person waiting for a sold-out ticket type; a freed place is offered to the first, for a limited time."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a place")
        USED = "used", _("Took the place")
        LAPSED = "lapsed", _("Offer lapsed")

    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="waiting_list")
    person = models.ForeignKey("community.Person", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offer_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "person"], name="waiting_list_once_per_person"),
        ]
