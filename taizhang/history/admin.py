from django.contrib import admin

from .models import HistoryEntry
from .recording import diff, record, snapshot


class HistoryAdminMixin:
    """Admin edits leave history too: nothing changes without a record of who and what."""

    def _audited_fields(self, obj) -> list[str]:
        return [f.name for f in obj._meta.concrete_fields if f.editable and not f.primary_key]

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = type(obj).objects.get(pk=obj.pk)
            before = snapshot(old, self._audited_fields(old))
        super().save_model(request, obj, form, change)
        campaign = getattr(obj, "campaign", None)
        if before is None:
            record(obj, HistoryEntry.Action.CREATE, actor=request.user, campaign=campaign, note="admin")
        else:
            changes = diff(obj, before)
            if changes:
                record(
                    obj,
                    HistoryEntry.Action.UPDATE,
                    actor=request.user,
                    campaign=campaign,
                    changes=changes,
                    note="admin",
                )


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "content_type", "object_id", "actor", "campaign"]
    list_filter = ["action", "content_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
