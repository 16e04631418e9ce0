"""Placeholder routes so the skeleton runs; the accounts flows replace these views."""

from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="signup"),
    path("settings/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="settings"),
]
