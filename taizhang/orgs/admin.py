from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from taizhang.history.admin import HistoryAdminMixin

from .models import ContactPoint, RoleGrant, Unit, User


@admin.register(Unit)
class UnitAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "search_text"]
    readonly_fields = ["path", "depth"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .actions import _rebuild_subtree

        obj.refresh_derived()
        Unit.objects.filter(pk=obj.pk).update(path=obj.path, depth=obj.depth, search_text=obj.search_text)
        _rebuild_subtree(obj)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(HistoryAdminMixin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Organisation"), {"fields": ("name", "unit", "phone")}))
    list_display = ["username", "name", "unit", "phone", "is_active", "is_staff"]
    search_fields = ["username", "name", "phone"]
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["user", "campaign", "role", "unit"]
    list_filter = ["campaign", "role"]
    autocomplete_fields = ["user", "unit"]


@admin.register(ContactPoint)
class ContactPointAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["campaign", "leader", "unit", "note"]
    list_filter = ["campaign"]
    autocomplete_fields = ["leader", "unit"]
