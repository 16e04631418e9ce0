"""The host's community database for its admins: `GET /hosts/{slug}/people`.

Only people who agreed to be contacted, unless the admin states a reason (`reason`), which is written with
every person returned to the access log that each person can read."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from opencity.api.auth import token_auth
from opencity.api.pagination import clamp_limit, keyset_page
from opencity.api.schemas import ErrorOut
from opencity.community import permissions
from opencity.community.access import access_log_write
from opencity.community.forms import people_filter_from
from opencity.community.models import AccessLog
from opencity.community.selectors import members
from opencity.core.errors import NotFound, PermissionDenied, ValidationFailed
from opencity.hosting.selectors import host_by_slug

router = Router(tags=["community"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PeopleQuery(Schema):
    q: str = ""
    interest: list[int] = []
    skill: list[int] = []
    language: list[str] = []
    commune: str = ""
    collective: list[str] = []
    event: list[str] = []
    first_seen_from: str = ""
    last_seen_from: str = ""
    last_seen_to: str = ""
    consent: str = ""
    reason: str = ""
    cursor: str | None = None
    limit: int | None = None


class TagOut(Schema):
    kind: str
    name: str


class PersonOut(Schema):
    id: str
    name: str
    email: str
    languages: list[str]
    commune: str
    tags: list[TagOut]
    first_seen: datetime
    last_seen: datetime
    consenting: bool


class PeoplePage(Schema):
    results: list[PersonOut]
    next: str | None


@router.get(
    "/hosts/{slug}/people",
    response={200: PeoplePage, **ERRORS},
    auth=token_auth,
    summary="People of a host's community (host admins)",
)
def list_people(request, slug: str, params: Query[PeopleQuery]):
    """Filters as on the Community page; cursor-paginated. Without `reason`, consenting people only."""
    host = host_by_slug(slug)
    if host is None:
        raise NotFound()
    if not permissions.can_view_community(request.auth, host):
        raise PermissionDenied()
    if params.limit is not None and params.limit < 1:
        raise ValidationFailed(_("The limit must be at least 1."), code="invalid_limit", field="limit")
    f = people_filter_from(request.GET, host)
    reason = " ".join(params.reason.split())[:300]
    if not reason:
        f.consent = "yes"
    qs = members(host, f).select_related("person").prefetch_related("person__tags")
    rows, nxt = keyset_page(qs, cursor=params.cursor, limit=clamp_limit(params.limit), key="pk")
    access_log_write(
        host=host, by=request.auth, person_ids=[m.person_id for m in rows], action=AccessLog.Action.API, reason=reason
    )
    return {
        "results": [
            {
                "id": m.person.public_id,
                "name": m.person.name,
                "email": m.person.email,
                "languages": m.person.languages,
                "commune": m.person.commune,
                "tags": [{"kind": t.kind, "name": t.name} for t in m.person.tags.all() if t.host_id == host.pk],
                "first_seen": m.first_seen,
                "last_seen": m.last_seen,
                "consenting": m.consenting,
            }
            for m in rows
        ],
        "next": nxt,
    }
