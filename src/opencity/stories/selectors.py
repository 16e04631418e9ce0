"""Reads that story pages, feeds and the API share."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from opencity.stories import permissions
from opencity.stories.models import LANGUAGES, Follow, Story, StoryVersion, Theme


def _live_q() -> Q:
    return Q(status=Story.Status.PUBLISHED, publish_at__lte=timezone.now(), collective__status="active")


def _base() -> QuerySet[Story]:
    return Story.objects.select_related("collective__host").prefetch_related(
        Prefetch("versions", queryset=StoryVersion.objects.order_by("id"))
    )


def live_stories(
    *, collective=None, host=None, language: str = "", theme: str = "", commune: str = "", user=None
) -> QuerySet[Story]:
    """Live stories, newest first. Contributors-only ones appear only for a contributor (or an editor)."""
    qs = _base().filter(_live_q())
    if collective is not None:
        qs = qs.filter(collective=collective)
    if host is not None:
        qs = qs.filter(collective__host=host)
    if language in LANGUAGES:
        qs = qs.filter(versions__language=language)
    if theme in Theme.values:
        qs = qs.filter(theme=theme)
    if commune:
        qs = qs.filter(collective__commune=commune)
    visible = Q(visibility=Story.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        visible |= Q(collective__contributions__person__user=user, collective__contributions__status="paid")
        visible |= Q(collective__admins=user) | Q(collective__host__admins=user)
    return qs.filter(visible).distinct().order_by("-publish_at", "-id")


def public_stories(**filters) -> QuerySet[Story]:
    """What feeds, emails to strangers and the public API show: live and public only."""
    return live_stories(**filters, user=None)


def story_by_public_id(public_id: str) -> Story | None:
    return _base().filter(public_id=public_id).first()


def version_for(story: Story, language: str) -> StoryVersion:
    """The version in the reader's language, else the first one written."""
    versions = list(story.versions.all())
    for v in versions:
        if v.language == language:
            return v
    return versions[0]


def stories_to_review(collective=None, host=None) -> QuerySet[Story]:
    qs = _base().filter(status=Story.Status.PENDING)
    if collective is not None:
        qs = qs.filter(collective=collective)
    if host is not None:
        qs = qs.filter(collective__host=host)
    return qs.order_by("created_at")


def drafts(collective, user) -> QuerySet[Story]:
    qs = _base().filter(collective=collective).exclude(_live_q())
    return [s for s in qs.order_by("-created_at") if permissions.can_edit(user, s)]


def follow_of(collective, user) -> Follow | None:
    if not user.is_authenticated:
        return None
    return Follow.objects.filter(collective=collective, user=user).first()
