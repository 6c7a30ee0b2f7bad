from django.contrib import admin

from reports.models import NightlyMail, NightlyReport, RegionRobot, RobotPost


@admin.register(RegionRobot)
class RegionRobotAdmin(admin.ModelAdmin):
    list_display = ["region", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["region__name"]
    autocomplete_fields = ["region"]


@admin.register(RobotPost)
class RobotPostAdmin(admin.ModelAdmin):
    list_display = ["region", "campaign", "day", "status", "http_status", "attempts", "at"]
    list_filter = ["status", "day"]
    search_fields = ["region__name", "error"]
    readonly_fields = [field.name for field in RobotPost._meta.fields]


@admin.register(NightlyReport)
class NightlyReportAdmin(admin.ModelAdmin):
    list_display = ["campaign", "day", "file", "updated_at"]
    list_filter = ["campaign"]
    readonly_fields = ["campaign", "day", "file"]


@admin.register(NightlyMail)
class NightlyMailAdmin(admin.ModelAdmin):
    list_display = ["day", "campaign", "region", "recipients", "status", "reason", "at"]
    list_filter = ["status", "day"]
    readonly_fields = [field.name for field in NightlyMail._meta.fields]
