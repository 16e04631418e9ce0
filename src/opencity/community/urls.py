from django.urls import path

from opencity.community import views, views_public, views_volunteer

app_name = "community"

urlpatterns = [
    path("people/me", views_public.your_data_request, name="your_data_request"),
    path("people/me/<str:token>", views_public.your_data, name="your_data"),
    path("people/me/<str:token>/data.json", views_public.your_data_json, name="your_data_json"),
    path("people/me/<str:token>/withdraw", views_public.your_data_withdraw, name="your_data_withdraw"),
    path("people/me/<str:token>/profile", views_public.your_data_profile, name="your_data_profile"),
    path("people/me/<str:token>/erase", views_public.your_data_erase, name="your_data_erase"),
    path("people/unsubscribe/<str:token>", views_public.unsubscribe, name="unsubscribe"),
    path("people/consent/<str:token>", views_public.consent_confirm, name="consent_confirm"),
    path("volunteer", views_volunteer.volunteer, name="volunteer"),
    path("volunteer/confirm/<str:token>", views_volunteer.signup_confirm, name="signup_confirm"),
    path("volunteer/<str:public_id>", views_volunteer.opportunity, name="opportunity"),
    path("<slug:slug>/community", views.community, name="community"),
    path("<slug:slug>/community.csv", views.community_csv, name="community_csv"),
    path("<slug:slug>/community/tags", views.community_tags, name="community_tags"),
    path("<slug:slug>/community/mail", views.community_mail, name="community_mail"),
    path("<slug:slug>/volunteering", views_volunteer.manage, name="volunteering_manage"),
    path(
        "<slug:slug>/volunteering/signups/<str:public_id>/decide",
        views_volunteer.signup_decide,
        name="signup_decide",
    ),
    path(
        "<slug:slug>/volunteering/signups/<str:public_id>/message",
        views_volunteer.signup_message,
        name="signup_message",
    ),
    path(
        "<slug:slug>/volunteering/<str:public_id>/suggest",
        views_volunteer.opportunity_suggest,
        name="opportunity_suggest",
    ),
]
