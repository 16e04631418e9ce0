"""Event pages, mounted at the site root inside the language prefix, before the `<slug>/` catch-all."""

from django.urls import path

from opencity.events import branding_views, views

app_name = "events"

E = "<slug:slug>/events/<slug:event_slug>/"

urlpatterns = [
    path("events/", views.upcoming, name="upcoming"),
    path("events/registrations/<str:public_id>/<str:token>", views.registration_confirm, name="registration_confirm"),
    path("<slug:slug>/events.ics", views.feed, name="feed"),
    path("<slug:slug>/poster.pdf", views.collective_poster, name="collective_poster"),
    path("<slug:slug>/events/", views.collective_events, name="list"),
    path("<slug:slug>/events/new", views.event_new, name="new"),
    path(E, views.detail, name="detail"),
    path(E + "event.ics", views.event_calendar, name="ics"),
    path(E + "orders/<str:public_id>", views.order, name="order"),
    path(E + "orders/<str:public_id>/refund", views.order_refund, name="order_refund"),
    path(E + "door", views.door, name="door"),
    path(E + "attendees", views.attendees, name="attendees"),
    path(E + "attendees.csv", views.attendees_csv, name="attendees_csv"),
    path(E + "poster.pdf", views.poster, name="poster"),
    path(E + "waiting", views.waiting_join, name="waiting"),
    path(E + "look", branding_views.look, name="look"),
    path(E + "theme.css", branding_views.theme, name="theme"),
    path(E + "images/<str:filename>", branding_views.image, name="image"),
]
