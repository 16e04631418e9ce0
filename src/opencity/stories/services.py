"""Every write about stories: create, translate, submit, approve, publish, follow, deliver."""

from __future__ import annotations

import datetime as dt

import filetype
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.stories import permissions
from opencity.stories.models import LANGUAGES, Follow, Story, StoryEvent, StoryVersion, StoryWriter, Theme

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024


def _check_image(upload) -> str:
    """The image is judged by its bytes, not by its name or the browser's word."""
    size = getattr(upload, "size", None) or 0
    if size == 0 or size > IMAGE_MAX_BYTES:
        raise ValidationFailed(_("Images may be up to 5 MB."), code="image_size", field="image")
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise ValidationFailed(_("The image must be a JPEG, PNG, WebP or GIF file."), code="image_type", field="image")
    return kind.mime


def _check_version(language: str, title: str, body: str) -> tuple[str, str, str]:
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose one of the site's languages."), code="language", field="language")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationFailed(_("A story needs a title."), code="title_required", field="title")
    if len(title) > 200:
        raise ValidationFailed(_("A title may be up to 200 characters."), code="title_too_long", field="title")
    if not body:
        raise ValidationFailed(_("A story needs some text."), code="body_required", field="body")
    if len(body) > 50_000:
        raise ValidationFailed(_("A story may be up to 50,000 characters."), code="body_too_long", field="body")
    return language, title, body


def _event(story: Story, by, from_status: str, note: str = "") -> None:
    StoryEvent.objects.create(story=story, by=by, from_status=from_status, to_status=story.status, note=note)


def story_create(
    *,
    collective,
    by,
    language: str,
    title: str,
    body: str,
    theme: str = Theme.NEWS,
    visibility: str = Story.Visibility.PUBLIC,
    image=None,
    image_alt: str = "",
) -> Story:
    if not permissions.can_write(by, collective):
        raise PermissionDenied()
    language, title, body = _check_version(language, title, body)
    if theme not in Theme.values:
        raise ValidationFailed(_("Choose a theme from the list."), code="theme", field="theme")
    if visibility not in Story.Visibility.values:
        raise ValidationFailed(_("Choose who can read it."), code="visibility", field="visibility")
    image_type = _check_image(image) if image else ""
    with transaction.atomic():
        story = Story.objects.create(
            collective=collective,
            author=by,
            by_volunteer=permissions.needs_approval(by, collective),
            theme=theme,
            visibility=visibility,
            image_type=image_type,
            image_alt=(image_alt or "")[:200],
        )
        if image:
            story.image.save(f"{story.public_id}{IMAGE_TYPES[image_type]}", image, save=True)
        StoryVersion.objects.create(story=story, language=language, title=title, body=body)
        _event(story, by, "")
    return story


def story_set_version(*, story: Story, by, language: str, title: str, body: str) -> StoryVersion:
    """Add or replace the text of one language; the story's other versions stay as they are."""
    if not permissions.can_edit(by, story):
        raise PermissionDenied()
    language, title, body = _check_version(language, title, body)
    with transaction.atomic():
        version, _created = StoryVersion.objects.update_or_create(
            story=story, language=language, defaults={"title": title, "body": body, "updated_at": timezone.now()}
        )
    return version


def _when(at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationFailed(
            _("Give the publication time with its time zone."), code="publish_at", field="publish_at"
        )
    return max(at, now)


def story_publish(*, story: Story, by, at: dt.datetime | None = None) -> Story:
    """Publish now or at a set time. A volunteer's story goes to the collective's admins first."""
    with transaction.atomic():
        story = Story.objects.select_for_update().select_related("collective__host").get(pk=story.pk)
        if not permissions.can_edit(by, story):
            raise PermissionDenied()
        if story.status == Story.Status.PUBLISHED:
            raise Conflict(_("This story is already published."), code="already_published")
        from_status = story.status
        story.publish_at = _when(at)
        if permissions.needs_approval(by, story.collective):
            story.status = Story.Status.PENDING
        else:
            story.status = Story.Status.PUBLISHED
        story.save(update_fields=["status", "publish_at"])
        _event(story, by, from_status)
        if story.status == Story.Status.PUBLISHED:
            _schedule_delivery(story)
    return story


def story_approve(*, story: Story, by) -> Story:
    with transaction.atomic():
        story = Story.objects.select_for_update().select_related("collective__host").get(pk=story.pk)
        if not permissions.can_approve(by, story):
            raise PermissionDenied()
        if story.status != Story.Status.PENDING:
            raise Conflict(_("This story is not waiting for approval."), code="not_pending")
        story.status = Story.Status.PUBLISHED
        story.publish_at = _when(story.publish_at)
        story.save(update_fields=["status", "publish_at"])
        _event(story, by, Story.Status.PENDING)
        _schedule_delivery(story)
    return story


def story_reject(*, story: Story, by, reason: str) -> Story:
    with transaction.atomic():
        story = Story.objects.select_for_update().select_related("collective__host").get(pk=story.pk)
        if not permissions.can_approve(by, story):
            raise PermissionDenied()
        if story.status != Story.Status.PENDING:
            raise Conflict(_("This story is not waiting for approval."), code="not_pending")
        story.status = Story.Status.REJECTED
        story.save(update_fields=["status"])
        _event(story, by, Story.Status.PENDING, note=(reason or "")[:2000])
    return story


def _schedule_delivery(story: Story) -> None:
    """Published now: email on commit. Published later: the queue runs it then, and `stories_due` catches up."""
    from opencity.stories.tasks import deliver_story

    def enqueue():
        if story.publish_at <= timezone.now():
            deliver_story.enqueue(story_id=story.pk)
        elif deliver_story.get_backend().supports_defer:
            deliver_story.using(run_after=story.publish_at).enqueue(story_id=story.pk)

    transaction.on_commit(enqueue)


def story_claim_delivery(*, story_id: int) -> bool:
    """Claim a live story's emails for this worker: one conditional UPDATE, so two workers cannot both win."""
    now = timezone.now()
    claimed = Story.objects.filter(
        pk=story_id, status=Story.Status.PUBLISHED, publish_at__lte=now, delivery_claimed_at__isnull=True
    ).update(delivery_claimed_at=now)
    return claimed == 1


def stories_due() -> list[int]:
    """Live stories whose emails nobody has claimed yet (the periodic catch-up)."""
    return list(
        Story.objects.filter(
            status=Story.Status.PUBLISHED, publish_at__lte=timezone.now(), delivery_claimed_at__isnull=True
        ).values_list("pk", flat=True)
    )


def follow(*, collective, user, language: str) -> Follow:
    if not permissions.can_follow(user):
        raise PermissionDenied()
    if not collective.is_active:
        raise Conflict(_("This collective is not active."), code="not_active")
    language = language if language in LANGUAGES else "en"
    try:
        with transaction.atomic():
            f, created = Follow.objects.get_or_create(collective=collective, user=user, defaults={"language": language})
    except IntegrityError:  # a double click raced us; the first one stands
        f = Follow.objects.get(collective=collective, user=user)
    return f


def unfollow(*, token: str) -> bool:
    with transaction.atomic():
        deleted, _rows = Follow.objects.filter(token=token).delete()
    return deleted > 0


def unfollow_user(*, collective, user) -> None:
    with transaction.atomic():
        Follow.objects.filter(collective=collective, user=user).delete()


def writer_invite(*, host, by, user) -> StoryWriter:
    if not permissions.can_invite_writers(by, host):
        raise PermissionDenied()
    with transaction.atomic():
        writer, _created = StoryWriter.objects.get_or_create(host=host, user=user, defaults={"invited_by": by})
    return writer


def consenting_readers(story: Story):
    """People of the community database who agreed that the host keeps them informed and who did something
    proven with this collective (gave, registered, volunteered) — except those who follow it with their login
    (they get the follower's email). Contributors-only stories go to its paying contributors only."""
    from django.apps import apps

    if not apps.is_installed("opencity.community"):
        return []
    from opencity.community.models import Person

    collective = story.collective
    qs = (
        Person.objects.filter(
            memberships__host_id=collective.host_id,
            memberships__consenting=True,
            interactions__collective=collective,
            anonymised_at__isnull=True,
        )
        .exclude(user__follows__collective=collective)
        .exclude(email="")
    )
    if story.visibility == Story.Visibility.CONTRIBUTORS:
        qs = qs.filter(contributions__collective=collective, contributions__status="paid")
    return qs.distinct().order_by("pk")


def recipients_q(story: Story) -> Q:
    """Followers who may read the story: everyone for a public one, contributors for the others."""
    q = Q(collective=story.collective)
    if story.visibility == Story.Visibility.CONTRIBUTORS:
        q &= Q(
            user__person__contributions__collective=story.collective,
            user__person__contributions__status="paid",
        )
    return q
