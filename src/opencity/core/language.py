"""The visitor's language: `?lang=` for any page or API call, and a first visit in the browser's language.

Pages live under a language prefix (`/fr/…`) except English, which has none. A visitor who arrives at an
unprefixed page (`/`, a shared link) is sent to the same page in the language they chose before (the
language cookie set by the switch, or a signed-in user's preference) or else in their browser's language
(Accept-Language). Every link of a page carries its language prefix, so the choice sticks.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Paths outside the language-prefixed pages.
_UNPREFIXED = ("/api/", "/admin/", "/webhooks/", "/i18n/", "/static/", "/media/", "/healthz", "/favicon")


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def preferred_language(request) -> str:
    """The language this visitor asked for: the switch's cookie, else the browser's (Accept-Language)."""
    return translation.get_language_from_request(request, check_path=False)


class VisitorLanguageMiddleware:
    """After the auth middleware and UserLanguageMiddleware (a signed-in user's own preference wins)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            # The API has no language prefix: it answers in the Accept-Language of the request (or ?lang=).
            lang = _supported(request.GET.get("lang")) or translation.get_language_from_request(request)
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        elif self._redirects(request):
            lang = preferred_language(request)
            if lang != settings.LANGUAGE_CODE:
                response = HttpResponseRedirect(f"/{lang}{request.get_full_path()}")
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and (
            request.path.startswith("/api/") or not request.path.startswith(_UNPREFIXED)
        ):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """`?lang=fr` on any page or API call; applied after URL resolution (see UserLanguageMiddleware)."""
        asked = _supported(request.GET.get("lang"))
        if asked:
            translation.activate(asked)
            request.LANGUAGE_CODE = asked
        return None

    @staticmethod
    def _redirects(request) -> bool:
        if request.method not in ("GET", "HEAD") or request.path.startswith(_UNPREFIXED):
            return False
        if "lang" in request.GET:
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "preferred_language", ""):
            return False  # UserLanguageMiddleware shows their own language
        if translation.get_language_from_path(request.path_info):
            return False  # the page names its language
        return True
