from django.contrib import admin

from opencity.community.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "user", "language", "created_at", "anonymised_at")
    search_fields = ("name", "email")
    list_filter = ("language",)
    readonly_fields = ("public_id", "user", "created_at", "anonymised_at")
    fields = ("public_id", "name", "email", "language", "user", "created_at", "anonymised_at")
    list_select_related = ("user",)
    ordering = ("-created_at",)
