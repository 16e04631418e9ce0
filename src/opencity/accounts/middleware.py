from django.utils import translation

SKIP_PREFIXES = ("/api/", "/webhooks/", "/admin/")


class UserLanguageMiddleware:
    """A signed-in user's remembered language wins when the URL carries no language prefix.

    It is applied in `process_view`, after URL resolution: activating a non-default language before
    would make `i18n_patterns` look for a `/<lang>/` prefix and turn every unprefixed URL into a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        lang = getattr(user, "preferred_language", "") if user is not None and user.is_authenticated else ""
        if not lang or request.path_info.startswith(SKIP_PREFIXES):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        return None
