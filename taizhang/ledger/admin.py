from django.contrib import admin

from .models import Comment, Item, ProgressEntry


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    """Read-only here: items change through the ledger pages, which keep history and refuse stale edits."""

    list_display = ["code", "title", "campaign", "owner_unit", "status", "percent", "light", "due"]
    list_filter = ["campaign", "status", "light"]
    search_fields = ["code", "search_text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ItemAdmin):
    list_display = ["item", "percent", "as_of", "author", "created_at"]
    list_filter = ["source"]
    search_fields = ["item__code", "done"]


@admin.register(Comment)
class CommentAdmin(ItemAdmin):
    list_display = ["item", "kind", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["item__code", "body"]
