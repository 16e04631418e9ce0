"""Django admin for support staff. Day-to-day work happens on the host-admin pages, through the services."""

from django.contrib import admin

from opencity.hosting.models import Collective, CollectiveAdmin, Host, HostAdmin, HostApplication, Invitation


class HostAdminInline(admin.TabularInline):
    model = HostAdmin
    extra = 0
    autocomplete_fields = ["user"]


class CollectiveAdminInline(admin.TabularInline):
    model = CollectiveAdmin
    extra = 0
    autocomplete_fields = ["user"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "invited_by", "created_at", "accepted_at", "accepted_by", "revoked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Host)
class HostModelAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "slug_display", "country", "currency", "default_host_fee_percent", "created_at"]
    search_fields = ["legal_name", "profile__name", "profile__slug", "enterprise_number"]
    list_select_related = ["profile"]
    readonly_fields = ["profile", "created_at"]
    inlines = [HostAdminInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.has_books():
            fields.append("currency")  # every account and posting of the host is in it
        return fields

    @admin.display(description="slug", ordering="profile__slug")
    def slug_display(self, obj):
        return obj.slug


@admin.register(Collective)
class CollectiveModelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "host", "status", "category", "commune", "created_at"]
    list_filter = ["status", "category", "commune", "host"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["host__profile"]
    readonly_fields = ["status", "created_by", "created_at", "approved_at", "host"]
    date_hierarchy = "created_at"
    inlines = [CollectiveAdminInline, InvitationInline]


@admin.register(HostApplication)
class HostApplicationModelAdmin(admin.ModelAdmin):
    """Read-only: approving or rejecting goes through the host-admin pages so applicants are emailed."""

    list_display = ["public_id", "collective", "host", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status", "host"]
    search_fields = ["public_id", "collective__name", "collective__slug"]
    list_select_related = ["collective", "host__profile", "decided_by"]
    readonly_fields = [
        "public_id",
        "collective",
        "host",
        "message",
        "status",
        "applied_by",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationModelAdmin(admin.ModelAdmin):
    list_display = ["email", "collective", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["accepted_at", "revoked_at"]
    search_fields = ["email", "collective__name", "collective__slug"]
    list_select_related = ["collective", "invited_by"]
    exclude = ["token"]
    readonly_fields = ["collective", "email", "invited_by", "created_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False
