from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.history.admin import HistoryAdminMixin

from .access import can_manage_units
from .actions import UNIT_FIELDS, create_unit, grant_role, revoke_role, update_unit
from .models import ContactPoint, RoleGrant, Unit, User


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "aliases", "kind", "parent", "sort_order"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if self.instance.pk and parent is not None and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(_("A unit cannot be moved below itself."))
        return parent


@admin.register(Unit)
class UnitAdmin(HistoryAdminMixin, admin.ModelAdmin):
    form = UnitAdminForm
    list_display = ["name", "short_name", "kind", "parent", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "search_text"]
    # Deactivation goes through the unit page, which checks sub-units and records the reason.
    readonly_fields = ["path", "depth", "is_active"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False

    # The admin writes through the org actions like the unit pages: the same checks, path and history.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_manage_units(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_manage_units(request.user)

    def save_model(self, request, obj, form, change):
        fields = [name for name in form.cleaned_data if name in UNIT_FIELDS]
        data = {name: form.cleaned_data[name] for name in fields}
        if change:
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            unit = update_unit(Unit.objects.get(pk=obj.pk), data=changed, acting_user=request.user, note="admin")
        else:
            unit = create_unit(data=data, acting_user=request.user, note="admin")
        obj.pk = unit.pk
        obj.refresh_from_db()


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
