from django.contrib import admin

from .models import GroupRobot


@admin.register(GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    list_display = ("unit", "kind", "webhook_url", "is_active")
    list_filter = ("kind", "is_active")
    autocomplete_fields = ("unit",)
