from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from opencity.accounts import views, views_settings

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("confirm/resend/", views.resend_confirmation, name="confirm_resend"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("login/", views.login, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("confirm-code/", views.sudo, name="sudo"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        views.PasswordReset.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path("password/change/done/", views_settings.password_change_done, name="password_change_done"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("settings/tokens/", views_settings.token_create, name="token_create"),
    path("settings/tokens/<int:token_id>/revoke/", views_settings.token_revoke, name="token_revoke"),
    path("settings/2fa/begin/", views_settings.totp_begin, name="totp_begin"),
    path("settings/2fa/", views_settings.totp_setup, name="totp_setup"),
    path("settings/2fa/disable/", views_settings.totp_disable, name="totp_disable"),
    path("settings/2fa/recovery-codes/", views_settings.recovery_codes_renew, name="recovery_codes_renew"),
]
