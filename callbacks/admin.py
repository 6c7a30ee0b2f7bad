from django.contrib import admin

from callbacks.models import CallbackAttempt, CallbackTask, Chase, Shortfall


class CallbackAttemptInline(admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    fields = ["at", "staff", "channel", "outcome", "reasons", "note", "follow_up_on"]
    readonly_fields = fields
    can_delete = False


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin):
    # The full phone stays off the list: admins reveal it only by opening one task.
    list_display = [
        "member",
        "campaign",
        "store",
        "assigned_to",
        "status",
        "phone_attempts",
        "last_outcome",
        "follow_up_on",
        "spend_last_year",
    ]
    list_filter = ["campaign", "status", "last_outcome", "store__region"]
    search_fields = ["member__card_no", "member__name", "store__name"]
    list_select_related = ["member", "campaign", "store", "assigned_to"]
    raw_id_fields = ["member", "store", "assigned_to", "done_by"]
    inlines = [CallbackAttemptInline]


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(admin.ModelAdmin):
    list_display = ["task", "staff", "at", "channel", "outcome"]
    list_filter = ["channel", "outcome", "task__campaign"]
    search_fields = ["task__member__card_no", "staff__staff_no", "staff__name"]
    list_select_related = ["task__member", "task__campaign", "staff"]
    raw_id_fields = ["task", "staff"]
    date_hierarchy = "at"


@admin.register(Chase)
class ChaseAdmin(admin.ModelAdmin):
    list_display = ["staff", "campaign", "day", "chased_by", "resolved_at"]
    list_filter = ["campaign", "day"]
    raw_id_fields = ["staff", "chased_by"]


@admin.register(Shortfall)
class ShortfallAdmin(admin.ModelAdmin):
    list_display = ["staff", "campaign", "day", "done", "quota"]
    list_filter = ["campaign", "day"]
    raw_id_fields = ["staff"]
