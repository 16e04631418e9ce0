"""Event pages, mounted at the site root inside the language prefix, before the `<slug>/` catch-all."""

from django.urls import path

from opencity.events import branding_views, organiser_views, views

app_name = "events"

E = "<slug:slug>/events/<slug:event_slug>/"

urlpatterns = [
    path("events/", views.upcoming, name="upcoming"),
    path("events/registrations/<str:public_id>/<str:token>", views.registration_confirm, name="registration_confirm"),
    path("<slug:slug>/events.ics", views.feed, name="feed"),
    path("<slug:slug>/poster.pdf", views.collective_poster, name="collective_poster"),
    path("<slug:slug>/events/", views.collective_events, name="list"),
    path("<slug:slug>/events/new", organiser_views.event_new, name="new"),
    path(E, views.detail, name="detail"),
    path(E + "event.ics", views.event_calendar, name="ics"),
    path(E + "orders/<str:public_id>", views.order, name="order"),
    path(E + "orders/<str:public_id>/refund", organiser_views.order_refund, name="order_refund"),
    path(E + "door", views.door, name="door"),
    path(E + "attendees", organiser_views.attendees, name="attendees"),
    path(E + "attendees.csv", organiser_views.attendees_csv, name="attendees_csv"),
    path(E + "poster.pdf", views.poster, name="poster"),
    path(E + "waiting", views.waiting_join, name="waiting"),
    path(E + "tickets/new", organiser_views.ticket_type_new, name="ticket_type_new"),
    path(E + "look", branding_views.look, name="look"),
    path(E + "theme.css", branding_views.theme, name="theme"),
    path(E + "images/<str:filename>", branding_views.image, name="image"),
]
