from django.conf import settings
from django.utils.translation import get_language, get_language_bidi


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "DEMO_MODE": settings.DEMO_MODE,
        "LANGUAGE_BIDI": get_language_bidi(),
        "CURRENT_LANGUAGE": get_language(),
    }
