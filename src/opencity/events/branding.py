"""An event's look: cover image, logo and accent colour — checked and saved exactly as a collective's
(`hosting.branding`: images judged by their bytes, re-encoded without metadata; the accent dark enough)."""

from __future__ import annotations

from django.db import transaction

from opencity.core.errors import PermissionDenied
from opencity.events import permissions
from opencity.events.models import Event
from opencity.hosting import branding as hosting_branding


def event_set_look(
    *,
    event: Event,
    by,
    logo=None,
    cover=None,
    remove_logo: bool = False,
    remove_cover: bool = False,
    accent_colour: str | None = None,
) -> Event:
    """Change an event's logo, cover and accent colour; everything is checked before anything is saved."""
    return events_set_look(
        events=[event],
        by=by,
        logo=logo,
        cover=cover,
        remove_logo=remove_logo,
        remove_cover=remove_cover,
        accent_colour=accent_colour,
    )[0]


def events_set_look(
    *,
    events: list[Event],
    by,
    logo=None,
    cover=None,
    remove_logo: bool = False,
    remove_cover: bool = False,
    accent_colour: str | None = None,
) -> list[Event]:
    """The same look for several events (the dates of a series): the images are checked and re-encoded once."""
    if by is not None and not all(permissions.can_manage_event(by, e) for e in events):
        raise PermissionDenied()
    files, accent = hosting_branding.clean_look(
        logo=logo, cover=cover, accent=accent_colour, accent_field="accent_colour"
    )
    rows = []
    with transaction.atomic():
        for row in Event.objects.select_for_update().filter(pk__in=[e.pk for e in events]).order_by("pk"):
            hosting_branding.apply_look(
                row,
                files,
                remove={"logo": remove_logo, "cover": remove_cover},
                accent_field="accent_colour",
                accent=accent,
            )
            rows.append(row)
    return rows
