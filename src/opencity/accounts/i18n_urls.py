"""`/i18n/setlang/`: Django's language switch, wrapped to remember a signed-in user's choice."""

from django.urls import path

from opencity.accounts.views import set_language

urlpatterns = [path("setlang/", set_language, name="set_language")]
