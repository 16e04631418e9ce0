from django.urls import path

from opencity.payments import views

urlpatterns = [
    path("stripe", views.stripe_webhook, name="stripe_webhook"),
]
