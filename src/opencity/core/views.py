from django.contrib.staticfiles import finders
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from opencity.hosting import selectors as hosting_selectors


def home(request):
    hosts = hosting_selectors.hosts_for_home()
    return render(request, "home.html", {"hosts": hosts})


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; answer with the site icon, cached for a day."""
    path = finders.find("opencity/favicon.ico")
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115 (FileResponse closes it)
    patch_cache_control(response, public=True, max_age=86400)
    return response
