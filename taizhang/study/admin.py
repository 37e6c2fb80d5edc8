from django.contrib import admin

from .models import Activity, ActivityKind, Material, Member


class ReadOnlyAdmin(admin.ModelAdmin):
    """Study records are written through the pages (their actions keep the history); the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "is_party_member", "party_branch", "is_active")
    search_fields = ("name",)


@admin.register(ActivityKind)
class ActivityKindAdmin(ReadOnlyAdmin):
    list_display = ("name", "campaign", "order")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "unit", "starts_at", "state")
    list_filter = ("state",)


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ("title", "source", "created_at")
