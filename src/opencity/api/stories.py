"""Stories: list, read, create, publish."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from opencity.api.auth import optional_auth, token_auth
from opencity.api.pagination import clamp_limit
from opencity.api.schemas import ErrorOut
from opencity.core import cursors
from opencity.core.errors import NotFound
from opencity.hosting import selectors as hosting_selectors
from opencity.stories import permissions, selectors, services
from opencity.stories.models import Story

router = Router(tags=["stories"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class VersionOut(Schema):
    language: str
    title: str
    body: str


class StoryOut(Schema):
    id: str
    collective: str
    theme: str
    visibility: str
    status: str
    publish_at: dt.datetime | None
    versions: list[VersionOut]


class StoryPage(Schema):
    results: list[StoryOut]
    next: str | None


class StoryIn(Schema):
    language: str = Field(max_length=2)
    title: str = Field(max_length=200)
    body: str = Field(max_length=50_000)
    theme: str = "news"
    visibility: str = "public"


class VersionIn(Schema):
    language: str = Field(max_length=2)
    title: str = Field(max_length=200)
    body: str = Field(max_length=50_000)


class PublishIn(Schema):
    at: dt.datetime | None = None


class ListFilters(Schema):
    language: str = ""
    theme: str = ""
    cursor: str | None = None
    limit: int | None = None


def _out(story: Story) -> dict:
    return {
        "id": story.public_id,
        "collective": story.collective.slug,
        "theme": story.theme,
        "visibility": story.visibility,
        "status": story.status,
        "publish_at": story.publish_at,
        "versions": [{"language": v.language, "title": v.title, "body": v.body} for v in story.versions.all()],
    }


def _page(request, qs, filters: ListFilters) -> dict:
    limit = clamp_limit(filters.limit, default=20)
    after = cursors.decode_cursor(filters.cursor, id=cursors.ID)
    if after is not None:
        qs = qs.filter(pk__lt=after["id"])
    rows = list(qs.order_by("-pk")[: limit + 1])
    nxt = cursors.encode_cursor({"id": rows[limit - 1].pk}) if len(rows) > limit else None
    return {"results": [_out(s) for s in rows[:limit]], "next": nxt}


@router.get("/collectives/{slug}/stories", response={200: StoryPage, **ERRORS}, auth=optional_auth)
def collective_stories(request, slug: str, filters: Query[ListFilters]):
    """Live stories of a collective or, for a host's address, of all its collectives. Newest first."""
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not collective.is_active:
        raise NotFound()
    scope = {"host": collective.host} if collective.is_host_profile else {"collective": collective}
    qs = selectors.live_stories(**scope, language=filters.language, theme=filters.theme, user=request.user)
    return _page(request, qs, filters)


@router.get("/stories/{public_id}", response={200: StoryOut, **ERRORS}, auth=optional_auth)
def story_read(request, public_id: str):
    story = selectors.story_by_public_id(public_id)
    if story is None or not permissions.can_read(request.user, story):
        raise NotFound()
    return _out(story)


@router.post("/collectives/{slug}/stories", response={201: StoryOut, **ERRORS}, auth=token_auth)
def story_create(request, slug: str, payload: StoryIn):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None:
        raise NotFound()
    story = services.story_create(collective=collective, by=request.user, **payload.dict())
    return 201, _out(selectors.story_by_public_id(story.public_id))


@router.put("/stories/{public_id}/versions", response={200: StoryOut, **ERRORS}, auth=token_auth)
def story_set_version(request, public_id: str, payload: VersionIn):
    story = selectors.story_by_public_id(public_id)
    if story is None or not permissions.can_edit(request.user, story):
        raise NotFound()
    services.story_set_version(story=story, by=request.user, **payload.dict())
    return _out(selectors.story_by_public_id(public_id))


@router.post("/stories/{public_id}/publish", response={200: StoryOut, **ERRORS}, auth=token_auth)
def story_publish(request, public_id: str, payload: PublishIn):
    story = selectors.story_by_public_id(public_id)
    if story is None or not permissions.can_edit(request.user, story):
        raise NotFound()
    services.story_publish(story=story, by=request.user, at=payload.at)
    return _out(selectors.story_by_public_id(public_id))


@router.post("/stories/{public_id}/approve", response={200: StoryOut, **ERRORS}, auth=token_auth)
def story_approve(request, public_id: str):
    story = selectors.story_by_public_id(public_id)
    if story is None or not permissions.can_read(request.user, story):
        raise NotFound()
    services.story_approve(story=story, by=request.user)
    return _out(selectors.story_by_public_id(public_id))
