from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.ids import public_id_field
from opencity.hosting.validators import validate_slug_not_reserved

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 2 to 50 lowercase letters, digits and dashes."),
    code="invalid_slug",
)


class Category(models.TextChoices):
    CITIZENSHIP = "citizenship", _("Citizenship")
    ENVIRONMENT = "environment", _("Environment")
    MOBILITY = "mobility", _("Mobility")
    CULTURE = "culture", _("Culture")
    SOLIDARITY = "solidarity", _("Solidarity")
    EDUCATION = "education", _("Education")
    FOOD = "food", _("Food")
    SPORT = "sport", _("Sport")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    OTHER = "other", _("Other")


class Commune(models.TextChoices):
    ANDERLECHT = "anderlecht", "Anderlecht"
    AUDERGHEM = "auderghem", "Auderghem / Oudergem"
    BERCHEM = "berchem-sainte-agathe", "Berchem-Sainte-Agathe / Sint-Agatha-Berchem"
    BRUXELLES = "bruxelles", "Bruxelles / Brussel"
    ETTERBEEK = "etterbeek", "Etterbeek"
    EVERE = "evere", "Evere"
    FOREST = "forest", "Forest / Vorst"
    GANSHOREN = "ganshoren", "Ganshoren"
    IXELLES = "ixelles", "Ixelles / Elsene"
    JETTE = "jette", "Jette"
    KOEKELBERG = "koekelberg", "Koekelberg"
    MOLENBEEK = "molenbeek", "Molenbeek-Saint-Jean / Sint-Jans-Molenbeek"
    SAINT_GILLES = "saint-gilles", "Saint-Gilles / Sint-Gillis"
    SAINT_JOSSE = "saint-josse", "Saint-Josse-ten-Noode / Sint-Joost-ten-Node"
    SCHAERBEEK = "schaerbeek", "Schaerbeek / Schaarbeek"
    UCCLE = "uccle", "Uccle / Ukkel"
    WATERMAEL = "watermael-boitsfort", "Watermael-Boitsfort / Watermaal-Bosvoorde"
    WOLUWE_LAMBERT = "woluwe-saint-lambert", "Woluwe-Saint-Lambert / Sint-Lambrechts-Woluwe"
    WOLUWE_PIERRE = "woluwe-saint-pierre", "Woluwe-Saint-Pierre / Sint-Pieters-Woluwe"
    WHOLE_CITY = "region", _("Whole region")
    ELSEWHERE = "elsewhere", _("Elsewhere")


LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands"), ("ar", "العربية")]


class Host(models.Model):
    """A non-profit that holds the money of many collectives. Its public face is its own `profile` collective."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="BE")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    enterprise_number = models.CharField(_("enterprise number"), max_length=20, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    address = models.TextField(_("address"), blank=True)
    default_host_fee_percent = models.DecimalField(
        _("default host fee (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("8.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    languages = models.JSONField(default=list, blank=True)
    # Per-host policies (data, not settings).
    expense_two_approvals_above = models.BigIntegerField(
        _("two approvals needed above (minor units)"), null=True, blank=True
    )
    membership_grace_days = models.PositiveIntegerField(_("grace period for failed renewals (days)"), default=14)
    # Receipt numbers are <prefix>-<year>-<counter>; the prefix is unique across hosts so that numbers are
    # unique per host ("BrusselsTogether" and "Bruxelles Tous" cannot both be BT). Chosen at creation.
    receipt_prefix = models.CharField(_("receipt number prefix"), max_length=8, blank=True, default="")
    profile = models.OneToOneField(
        "hosting.Collective", null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_as_host"
    )
    admins = models.ManyToManyField(settings.AUTH_USER_MODEL, through="HostAdmin", related_name="admin_of_hosts")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_host_fee_percent__gte=0) & models.Q(default_host_fee_percent__lte=50),
                name="host_fee_percent_range",
            ),
            models.UniqueConstraint(
                fields=["receipt_prefix"], condition=~models.Q(receipt_prefix=""), name="host_receipt_prefix_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def has_books(self) -> bool:
        """Whether the host has ledger accounts (every host gets them at creation): its currency is then fixed."""
        return self.pk is not None and self.ledger_accounts.exists()

    def clean(self) -> None:
        super().clean()
        if self.pk is not None and self.has_books():
            stored = Host.objects.filter(pk=self.pk).values_list("currency", flat=True).first()
            if stored is not None and stored != self.currency:
                raise ValidationError(
                    {
                        "currency": _("The currency cannot change once the host keeps books in %(currency)s.")
                        % {"currency": stored}
                    },
                    code="currency_fixed",
                )

    @property
    def slug(self) -> str:
        return self.profile.slug if self.profile_id else ""

    @property
    def name(self) -> str:
        return self.profile.name if self.profile_id else self.legal_name


class HostAdmin(models.Model):
    host = models.ForeignKey(Host, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "user"], name="host_admin_unique")]


class Collective(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("address"), max_length=50, validators=[slug_validator, validate_slug_not_reserved])
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("short description"), max_length=300, blank=True)
    long_description = models.TextField(_("about (Markdown)"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    commune = models.CharField(
        _("commune or neighbourhood"), max_length=30, choices=Commune.choices, default=Commune.WHOLE_CITY
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    website = models.URLField(_("website"), blank=True)
    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="collectives")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    host_fee_percent = models.DecimalField(
        _("host fee (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CollectiveAdmin", related_name="admin_of_collectives"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("slug"), name="collective_slug_ci_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_host_profile(self) -> bool:
        return self.host.profile_id == self.pk

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def effective_host_fee_percent(self) -> Decimal:
        if self.host_fee_percent is not None:
            return self.host_fee_percent
        return self.host.default_host_fee_percent

    @property
    def currency(self) -> str:
        return self.host.currency


class CollectiveSlugHistory(models.Model):
    """An address a collective had before: its page redirects to the current one, and while the collective is
    active nobody else can take it (a pending one reserves nothing)."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="previous_slugs")
    slug = models.CharField(max_length=50)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(Lower("slug"), name="collective_old_slug_ci_unique")]
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.slug} → {self.collective.slug}"


class CollectiveRename(models.Model):
    """Every change of a collective's address, kept to limit how often it may change (no hoarding)."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="renames")
    from_slug = models.CharField(max_length=50)
    to_slug = models.CharField(max_length=50)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]


class CollectiveAdmin(models.Model):
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collective", "user"], name="collective_admin_unique")]


class HostApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    public_id = public_id_field("app")
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="applications")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="applications")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "host"], condition=models.Q(status="pending"), name="one_pending_application"
            ),
        ]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.collective} → {self.host}"


class Invitation(models.Model):
    """An invitation by email to become an admin of a collective; the token is single use."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.collective}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
