"""Stories: updates and blog posts about a collective, one text per language, followed by email."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.ids import public_id_field

LANGUAGES = ("en", "fr", "nl", "ar")


class Theme(models.TextChoices):
    NEWS = "news", _("News")
    EVENT = "event", _("Event")
    MILESTONE = "milestone", _("Milestone")
    CALL = "call", _("Call for help")
    MONEY = "money", _("Money matters")


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CONTRIBUTORS = "contributors", _("Contributors only")

    public_id = public_id_field("sty")
    collective = models.ForeignKey("hosting.Collective", on_delete=models.CASCADE, related_name="stories")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_volunteer = models.BooleanField(default=False)
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices, default=Theme.NEWS)
    visibility = models.CharField(
        _("who can read it"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, db_index=True)
    image = models.FileField(upload_to="stories/%Y/%m/", blank=True)
    image_type = models.CharField(max_length=40, blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    delivery_claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-publish_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False), name="story_published_has_time"
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at <= timezone.now()
        )


class StoryVersion(models.Model):
    """One language's text of a story; the versions of one story are translations of each other."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=2, choices=[(code, code) for code in LANGUAGES])
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["story", "language"], name="story_version_language_unique")]


class StoryEvent(models.Model):
    """Every status change of a story, with who did it."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="events")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)


class StoryWriter(models.Model):
    """A volunteer writer a host invited: may write stories about any of the host's collectives."""

    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="story_writers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "user"], name="story_writer_unique")]


def _token() -> str:
    return secrets.token_urlsafe(24)


class Follow(models.Model):
    """Someone who chose to get a collective's stories by email, in their language."""

    collective = models.ForeignKey("hosting.Collective", on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    language = models.CharField(max_length=2, default="en")
    token = models.CharField(max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collective", "user"], name="follow_unique")]


class StoryDelivery(models.Model):
    """One email of one story to one follower: the unique row makes a second worker send nothing."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=2)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="story_delivery_unique")]


class StoryPersonDelivery(models.Model):
    """One email of one story to one consenting person of the community database (no login, no follow): the
    unique row makes a retried or second worker send nothing."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="person_deliveries")
    person = models.ForeignKey("community.Person", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=2)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "person"], name="story_person_delivery_unique")]
