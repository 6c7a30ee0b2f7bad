from django.contrib import admin

from coupons.models import CouponType, Gift


@admin.register(CouponType)
class CouponTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "face_value",
        "issue_threshold",
        "redeem_threshold",
        "valid_months",
        "active",
    ]
    list_filter = ["kind", "active"]


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ["name", "value"]
    search_fields = ["name"]
