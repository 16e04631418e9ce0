"""A group that asks to become a host on this installation, and what an installation admin decided."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.ids import public_id_field


class HostRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    public_id = public_id_field("hrq")
    name = models.CharField(_("name of the movement"), max_length=120)
    slug = models.SlugField(_("address"), max_length=50)
    legal_name = models.CharField(_("legal name"), max_length=200)
    enterprise_number = models.CharField(_("enterprise number"), max_length=20)
    iban = models.CharField(_("IBAN"), max_length=34)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    default_host_fee_percent = models.DecimalField(_("default host fee (%)"), max_digits=5, decimal_places=2)
    languages = models.JSONField(default=list)
    logo = models.FileField(upload_to="host-logos/", blank=True)
    message = models.TextField(_("about your group"), blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    host = models.OneToOneField("hosting.Host", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_host_fee_percent__gte=0) & models.Q(default_host_fee_percent__lte=50),
                name="host_request_fee_range",
            )
        ]
