from django.contrib import admin

from .models import AuditEvent, ChainHead, ChainLink


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: records written by the app's actions (evidence, the log) are not edited or deleted here.

    A change goes through the action that writes its history and its link in the chain; the admin
    that could edit or delete them left no record at all.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "address", "what"]
    list_filter = ["kind"]
    search_fields = ["username", "what", "address"]


@admin.register(ChainLink)
class ChainLinkAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "seq", "kind", "object_id", "digest", "at"]
    list_filter = ["campaign", "kind"]


admin.site.register(ChainHead, ReadOnlyAdmin)
