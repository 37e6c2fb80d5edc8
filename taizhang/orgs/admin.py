from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.history.admin import HistoryAdminMixin

from .actions import grant_role, revoke_role
from .models import ContactPoint, RoleGrant, Unit, User


@admin.register(Unit)
class UnitAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "search_text"]
    # Deactivation goes through the unit page, which checks sub-units and records the reason.
    readonly_fields = ["path", "depth", "is_active"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .actions import _rebuild_subtree

        obj.refresh_derived()
        Unit.objects.filter(pk=obj.pk).update(path=obj.path, depth=obj.depth, search_text=obj.search_text)
        _rebuild_subtree(obj)


class RoleGrantInline(admin.TabularInline):
    """Shown for reference; grants are added and revoked on the grant pages, which keep history."""

    model = RoleGrant
    extra = 0
    fields = ["campaign", "role", "unit"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(HistoryAdminMixin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Organisation"), {"fields": ("name", "unit", "phone")}))
    list_display = ["username", "name", "unit", "phone", "is_active", "is_staff"]
    search_fields = ["username", "name", "phone"]
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Grants are added and revoked through the actions, so each leaves its history entry."""

    list_display = ["user", "campaign", "role", "unit"]
    list_filter = ["campaign", "role"]
    autocomplete_fields = ["user", "unit"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        grant = grant_role(user=obj.user, campaign=obj.campaign, role=obj.role, unit=obj.unit, acting_user=request.user)
        obj.pk = grant.pk

    def delete_model(self, request, obj):
        revoke_role(obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for grant in queryset:
            revoke_role(grant, acting_user=request.user)


@admin.register(ContactPoint)
class ContactPointAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["campaign", "leader", "unit", "note"]
    list_filter = ["campaign"]
    autocomplete_fields = ["leader", "unit"]
