from django.contrib import admin

from taizhang.audit.admin import ReadOnlyAdmin

from .models import ApiKey, Demand, PeopleSettings, PublicItem, Rating


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    list_display = ["tracking_code", "campaign", "channel", "category", "status", "created_at"]
    list_filter = ["campaign", "channel", "status"]
    search_fields = ["tracking_code", "text"]
    raw_id_fields = ["items", "duplicate_of", "objection_to", "unit", "recorded_by"]


# Made and deactivated on the people settings page, in history; the admin only shows them.
@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "campaign", "is_active", "created_at"]
    readonly_fields = ["prefix"]


@admin.register(PeopleSettings)
class PeopleSettingsAdmin(admin.ModelAdmin):
    list_display = ["campaign", "lookback_days", "objection_days", "submissions_per_hour"]


# Written by the actions (which keep history, and chain ratings): read-only here.
admin.site.register([Rating, PublicItem], ReadOnlyAdmin)
