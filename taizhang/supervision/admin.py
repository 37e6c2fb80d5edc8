from django.contrib import admin

from .models import ChaseNotice


@admin.register(ChaseNotice)
class ChaseNoticeAdmin(admin.ModelAdmin):
    list_display = ("number", "item", "unit", "light", "required_by", "issued_at", "responded_at")
    list_filter = ("campaign", "light")
    search_fields = ("number", "item__code", "item__title")
    readonly_fields = [f.name for f in ChaseNotice._meta.fields]

    def has_add_permission(self, request):
        return False  # notices are issued through the page, which checks the item and numbers them

    def has_delete_permission(self, request, obj=None):
        return False
