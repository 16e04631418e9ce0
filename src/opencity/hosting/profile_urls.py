"""Pages under `/<slug>/` that belong to hosting (the profile itself). Other apps add theirs in their
own urls.py with paths like `<slug:slug>/transactions`, which Django tries before this catch-all."""

from django.urls import path

from opencity.hosting import views

urlpatterns = [
    path("", views.profile, name="profile"),
]
