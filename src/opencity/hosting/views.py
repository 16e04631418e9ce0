from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from opencity.hosting import permissions, selectors
from opencity.hosting.models import LANGUAGE_CHOICES, Category, Commune


def directory(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "category", "commune", "language")}
    page = Paginator(selectors.collective_directory(**filters), 24).get_page(request.GET.get("page"))
    return render(
        request,
        "hosting/directory.html",
        {
            "page": page,
            "filters": filters,
            "categories": Category.choices,
            "communes": Commune.choices,
            "languages": LANGUAGE_CHOICES,
        },
    )


def profile(request, slug: str):
    collective = selectors.collective_by_slug(slug)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise Http404
    template = "hosting/host_profile.html" if collective.is_host_profile else "hosting/profile.html"
    return render(
        request,
        template,
        {
            "collective": collective,
            "host": collective.host,
            "can_edit": permissions.can_edit_collective(request.user, collective),
            "is_host_admin": permissions.is_host_admin(request.user, collective.host),
        },
    )
