from django.contrib import admin

from .models import Decision, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "kind", "starts_at", "state")
    list_filter = ("campaign", "kind", "state")
    raw_id_fields = ("chair", "attendees", "created_by", "approved_by", "period")


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("meeting", "seq", "owner_unit", "deadline", "status")
    list_filter = ("campaign", "status")
    raw_id_fields = ("meeting", "owner_unit")
