from django.urls import path

from opencity.stories import feeds, views

app_name = "stories"

urlpatterns = [
    path("stories/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/stories", views.host_stories, name="host_stories"),
    path("<slug:slug>/updates", views.collective_updates, name="collective_updates"),
    path("<slug:slug>/updates.atom", feeds.feed, name="feed"),
    path("<slug:slug>/updates/new", views.story_new, name="story_new"),
    path("<slug:slug>/follow", views.follow, name="follow"),
    path("<slug:slug>/updates/<str:public_id>", views.story_detail, name="story_detail"),
    path("<slug:slug>/updates/<str:public_id>/translate", views.story_translate, name="story_translate"),
    path(
        "<slug:slug>/updates/<str:public_id>/<str:action>",
        views.story_action,
        name="story_action",
    ),
    path("<slug:slug>/updates/<str:public_id>/in/<str:language>", views.story_detail, name="story_version"),
]
