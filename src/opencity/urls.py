"""URL map. Each app owns its `urls.py` with `patterns` (own prefix) and `collective_patterns`
(mounted under `/<slug>/`, the shared namespace of hosts and collectives)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from opencity.accounts.views import admin_login
from opencity.api.main import api
from opencity.core import views as core_views
from opencity.stories import views as stories_views

urlpatterns = [
    # One login flow for the whole site: the admin's own login page is replaced by the site's.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("webhooks/", include("opencity.payments.webhook_urls")),
    path("i18n/", include("opencity.accounts.i18n_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
]

urlpatterns += i18n_patterns(
    path("", stories_views.front_page, name="home"),
    path("accounts/", include("opencity.accounts.urls")),
    path("", include("opencity.hosting.urls")),
    path("", include("opencity.transparency.urls")),
    path("", include("opencity.contributions.urls")),
    path("", include("opencity.expenses.urls")),
    path("", include("opencity.events.urls")),
    path("", include("opencity.banking.urls")),
    path("", include("opencity.community.urls")),
    path("", include("opencity.stories.urls")),
    path("", include("opencity.movement.urls")),
    path("<slug:slug>/", include("opencity.hosting.profile_urls")),
    prefix_default_language=False,
)

handler404 = "opencity.core.views.not_found"
