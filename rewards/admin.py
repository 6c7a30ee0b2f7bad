from django.contrib import admin

from rewards.models import SettlementLine, SettlementRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Settlements change only through their services: the admin shows them, never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SettlementRun)
class SettlementRunAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "version", "status", "line_count", "pay_total", "owe_total"]
    list_filter = ["status", "campaign"]


@admin.register(SettlementLine)
class SettlementLineAdmin(ReadOnlyAdmin):
    list_display = ["run", "position", "kind", "recipient_type", "recipient", "direction", "amount"]
    list_filter = ["kind", "recipient_type", "direction"]
    list_select_related = ["run__campaign"]
