from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from opencity.accounts import services
from opencity.accounts.models import ApiToken, RateLimitEvent, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Email is the login; the password hash and the TOTP secret are never displayed."""

    form = forms.ModelForm
    add_form = UserCreationForm
    ordering = ("-date_joined",)
    list_display = ("email", "name", "email_confirmed", "totp_enabled", "is_staff", "is_active", "date_joined")
    list_filter = ("email_confirmed", "totp_enabled", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    readonly_fields = ("password_link", "totp_enabled", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "name", "preferred_language", "email_confirmed")}),
        (_("Security"), {"fields": ("password_link", "totp_enabled", "last_login", "date_joined")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )

    @admin.display(description=_("Password"))
    def password_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:auth_user_password_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Set a new password"))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: the digest is never shown; tokens can only be revoked."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__email")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=("view",))
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(user=token.user, token_id=token.pk)
        self.message_user(request, _("Tokens revoked."))


@admin.register(RateLimitEvent)
class RateLimitEventAdmin(admin.ModelAdmin):
    """Failed logins and emails sent from public forms; delete them to lift a lock early."""

    list_display = ("kind", "email", "ip", "at")
    list_filter = ("kind",)
    search_fields = ("email", "ip")
    date_hierarchy = "at"
    readonly_fields = ("kind", "email", "ip", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
