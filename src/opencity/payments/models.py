"""Webhook events from payment processors, stored once by their id before anything is done with them."""

from django.db import models
from django.utils import timezone


class WebhookEvent(models.Model):
    processor = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    deliveries = models.PositiveIntegerField(default=1)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Why the event changed nothing, or what an admin must look at (e.g. a refund the collective cannot cover).
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["processor", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.processor} {self.event_id} {self.type}"
