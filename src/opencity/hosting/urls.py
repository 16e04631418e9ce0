from django.urls import path

from opencity.hosting import views

app_name = "hosting"

urlpatterns = [
    path("collectives/", views.directory, name="directory"),
    path("collectives/new", views.collective_create, name="collective_create"),
    path("collectives/slug-check", views.slug_check, name="slug_check"),
    path("invitations/<str:token>", views.invitation_accept, name="invitation_accept"),
]
