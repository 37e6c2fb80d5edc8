from django.contrib import admin

from taizhang.history.admin import HistoryAdminMixin

from .models import Campaign, Category, KeyTask, Phase


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline, PhaseInline]

    def get_readonly_fields(self, request, obj=None):
        # Rules change on the campaign's rules page, which checks them, keeps history and relights.
        return Campaign.RULE_FIELDS if obj is not None else ()


@admin.register(KeyTask)
class KeyTaskAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "parent", "campaign", "order"]
    list_filter = ["campaign"]
