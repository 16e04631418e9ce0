"""Input no page or API can store: NUL characters (PostgreSQL refuses them in text).

Refused once, here, for every request — in the path, the query string, form fields and JSON bodies —
with a clear 400, instead of each form and endpoint having to remember it.
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

_JSON_NUL = (b"\x00", b"\\u0000")


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        # Form fields only: uploaded files are binary and may contain anything.
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    try:
        body = request.body
    except Exception:  # noqa: BLE001 - too large or already read: the view answers that itself
        return False
    return any(marker in body for marker in _JSON_NUL)


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _("The request contains a NUL character, which cannot be stored. Nothing was saved.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_characters", "message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
