"""An event's look: the organiser's page to set it, its images and its accent colour as cacheable files
(no inline style: pages keep a strict CSP)."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from opencity.events import branding, permissions
from opencity.events.views import _event
from opencity.hosting.branding_views import DEFAULT_ACCENT, LookForm, look_form_save  # as a collective's look

YEAR = 365 * 24 * 3600


@login_required
@require_http_methods(["GET", "POST"])
def look(request, slug, event_slug):
    event = _event(request, slug, event_slug)
    if not permissions.can_manage_event(request.user, event):
        raise Http404
    form = LookForm(
        request.POST or None, request.FILES or None, initial={"accent_color": event.accent_colour or DEFAULT_ACCENT}
    )

    def save(accent, **images):
        branding.event_set_look(event=event, by=request.user, accent_colour=accent, **images)

    if request.method == "POST" and form.is_valid() and look_form_save(request, form, save):
        return redirect("events:detail", slug=slug, event_slug=event_slug)
    return render(request, "events/look.html", {"event": event, "form": form}, status=400 if form.errors else 200)


def image(request, slug, event_slug, filename):
    """A logo or cover by its content-hashed name: the same URL always means the same bytes."""
    event = _event(request, slug, event_slug)
    for field in (event.logo, event.cover):
        if field and os.path.basename(field.name) == filename:
            response = FileResponse(
                field.storage.open(field.name, "rb"),
                content_type="image/png" if filename.endswith(".png") else "image/jpeg",
            )
            patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = "default-src 'none'"
            return response
    raise Http404


def theme(request, slug, event_slug):
    """The event's accent colour as a style sheet, versioned by the colour in its URL."""
    event = _event(request, slug, event_slug)
    color = event.accent_colour if branding.hosting_branding.HEX.match(event.accent_colour or "") else ""
    css = f":root {{ --accent: {color}; --focus: {color}; }}\n.event {{ border-block-start: 6px solid {color}; }}\n"
    response = HttpResponse(css if color else "", content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    return response
