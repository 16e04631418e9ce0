from django.urls import path

from opencity.movement import views

app_name = "movement"

urlpatterns = [
    path("hosts/start", views.start, name="start"),
    path("hosts/apply", views.apply, name="apply"),
    path("hosts/requests", views.requests, name="requests"),
    path("hosts/requests/<str:public_id>/<str:action>", views.decide, name="decide"),
    path("<slug:slug>/admin/setup", views.setup, name="setup"),
]
