import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
django_application = get_wsgi_application()

from opencity.core.security import RequestBodyLimit  # noqa: E402 - after Django is set up

# Bodies over REQUEST_MAX_BYTES are refused before Django (or anything) reads them.
application = RequestBodyLimit(django_application)
