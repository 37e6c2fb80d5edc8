from django.contrib import admin

from .models import Bulletin, Practice, ReadReceipt


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the actions (permission, history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Practice)
class PracticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "status", "is_model", "year", "read_count")
    list_filter = ("status", "is_model", "year", "campaign")
    search_fields = ("title",)


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "masthead", "campaign", "status", "issued_on", "signed_by")
    list_filter = ("status", "year", "campaign")


@admin.register(ReadReceipt)
class ReadReceiptAdmin(ReadOnlyAdmin):
    list_display = ("bulletin", "unit", "user", "read_at")
