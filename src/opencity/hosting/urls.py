from django.urls import path

from opencity.hosting import views

app_name = "hosting"

urlpatterns = [
    path("collectives/", views.directory, name="directory"),
    path("collectives/new", views.directory, name="collective_create"),  # placeholder until the create flow lands
]
