from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

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
