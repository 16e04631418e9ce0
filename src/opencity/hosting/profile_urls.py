"""Pages under `/<slug>/` that belong to hosting. Other apps add theirs in their own urls.py with paths
like `<slug:slug>/transactions`, which Django tries before this catch-all.

Names are global (no namespace) because this file is included once per slug prefix: `profile`,
`collective_edit`, `collective_admins`, `host_admin`, `host_admin_applications`, ….
"""

from django.urls import path

from opencity.hosting import admin_views, branding_views, views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("edit", admin_views.collective_edit, name="collective_edit"),
    path("edit/look", branding_views.look_edit, name="collective_look"),
    path("edit/translations", branding_views.translations_edit, name="collective_translations"),
    path("images/<str:filename>", branding_views.image, name="collective_image"),
    path("theme.css", branding_views.theme, name="collective_theme"),
    path("admins", admin_views.collective_admins, name="collective_admins"),
    path("admin/", admin_views.host_admin_index, name="host_admin"),
    path("admin/applications", admin_views.host_applications, name="host_admin_applications"),
    path(
        "admin/applications/<str:public_id>/approve",
        admin_views.application_approve,
        name="host_admin_application_approve",
    ),
    path(
        "admin/applications/<str:public_id>/reject",
        admin_views.application_reject,
        name="host_admin_application_reject",
    ),
    path("admin/settings", admin_views.host_settings, name="host_admin_settings"),
]
