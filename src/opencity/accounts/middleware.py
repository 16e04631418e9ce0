from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's remembered language wins when the URL carries no language prefix."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = getattr(user, "preferred_language", "") if user and user.is_authenticated else ""
        path_lang = translation.get_language_from_path(request.path_info)
        if lang and not path_lang and not request.path_info.startswith(("/api/", "/webhooks/", "/admin/")):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)
