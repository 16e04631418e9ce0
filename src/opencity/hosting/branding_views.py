"""A collective's look: the page to set it, its images and its accent colour as cacheable static-like files."""

from __future__ import annotations

import os

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from opencity.core.errors import DomainError
from opencity.hosting import branding, permissions
from opencity.hosting import selectors as hosting_selectors

YEAR = 365 * 24 * 3600


class LookForm(forms.Form):
    logo = forms.FileField(label=gettext_lazy("Logo (square works best)"), required=False)
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
    cover = forms.FileField(label=gettext_lazy("Cover image (wide, shown at the top of the page)"), required=False)
    remove_cover = forms.BooleanField(label=gettext_lazy("Remove the cover image"), required=False)
    accent_color = forms.CharField(
        label=gettext_lazy("Accent colour"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=gettext_lazy("Buttons and links on your page; dark enough for white text on it."),
    )


DEFAULT_ACCENT = "#0b6e4f"


def look_form_save(request, form: LookForm, save) -> bool:
    """Save a valid LookForm through `save(accent=…, logo=…, cover=…, remove_logo=…, remove_cover=…)` (the
    site's own green means "no accent"); a refusal goes back on the form, an accent's on its colour field.
    True when saved. Shared by the look pages of collectives and events."""
    d = form.cleaned_data
    accent = (d["accent_color"] or "").strip()
    try:
        save(
            accent="" if accent.lower() == DEFAULT_ACCENT else accent,
            logo=d["logo"],
            cover=d["cover"],
            remove_logo=d["remove_logo"],
            remove_cover=d["remove_cover"],
        )
    except DomainError as exc:
        field = "accent_color" if exc.field in ("accent_color", "accent_colour") else exc.field
        form.add_error(field if field in form.fields else None, str(exc.message))
        return False
    messages.success(request, _("Saved."))
    return True


def _visible(request, slug):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise Http404
    return collective


@require_http_methods(["GET", "POST"])
def look_edit(request, slug):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_edit_collective(request.user, collective):
        raise Http404
    form = LookForm(
        request.POST or None, request.FILES or None, initial={"accent_color": collective.accent_color or DEFAULT_ACCENT}
    )

    def save(accent, **images):
        branding.collective_set_look(collective=collective, by=request.user, accent_color=accent, **images)

    if request.method == "POST" and form.is_valid() and look_form_save(request, form, save):
        return redirect("profile", collective.slug)
    return render(
        request,
        "hosting/collective_look.html",
        {"collective": collective, "form": form},
        status=400 if form.errors else 200,
    )


def image(request, slug, filename):
    """A logo or cover by its content-hashed name: the same URL always means the same bytes."""
    collective = _visible(request, slug)
    for field in (collective.logo, collective.cover):
        if field and os.path.basename(field.name) == filename:
            response = FileResponse(
                field.storage.open(field.name, "rb"),
                content_type="image/png" if filename.endswith(".png") else "image/jpeg",
            )
            patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
            response["X-Content-Type-Options"] = "nosniff"
            return response
    raise Http404


def theme(request, slug):
    """The collective's accent colour as a style sheet (no inline styles: the page keeps a strict CSP)."""
    collective = _visible(request, slug)
    color = collective.accent_color if branding.HEX.match(collective.accent_color or "") else ""
    css = f":root {{ --accent: {color}; --focus: {color}; }}\n" if color else ""
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    return response


@require_http_methods(["GET", "POST"])
def translations_edit(request, slug):
    """One fieldset per language: name, tagline and about; what is left empty falls back to the original."""
    from opencity.hosting.models import LANGUAGE_CHOICES, TRANSLATED_FIELDS

    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_edit_collective(request.user, collective):
        raise Http404
    current = collective.translations or {}
    error = None
    if request.method == "POST":
        posted = {
            code: {field: request.POST.get(f"{code}-{field}", "") for field in TRANSLATED_FIELDS}
            for code, _label in LANGUAGE_CHOICES
        }
        try:
            branding.collective_set_translations(collective=collective, by=request.user, translations=posted)
        except DomainError as exc:
            error = exc
            current = posted
        else:
            messages.success(request, _("Saved."))
            return redirect("profile", collective.slug)
    languages = [
        {"code": code, "label": label, "texts": current.get(code, {})}
        for code, label in LANGUAGE_CHOICES
        if code != (collective.languages[0] if collective.languages else "")
    ]
    return render(
        request,
        "hosting/collective_translations.html",
        {"collective": collective, "languages": languages, "error": error},
        status=400 if error else 200,
    )
