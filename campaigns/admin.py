from django.contrib import admin

from campaigns.models import Campaign, Target


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are changed through their document (the campaign pages or load_campaign),
    so the same checks apply; the admin only looks."""

    list_display = ["code", "name", "brand", "presale_start", "presale_end", "active"]
    search_fields = ["code", "name", "brand"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["campaign", "level", "region", "store", "staff", "amount", "source"]
    list_filter = ["campaign", "level", "source"]
    list_select_related = ["campaign", "region", "store", "staff"]
    raw_id_fields = ["region", "store", "staff"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
