from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from stores.models import Region, Staff, Store, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "staff_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "staff__name", "staff__staff_no"]

    @admin.display(description="员工")
    def staff_name(self, user: User) -> str:
        staff = getattr(user, "staff", None)
        return str(staff) if staff else ""


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["store_id", "name", "region", "public_phone", "mailbox", "active"]
    list_filter = ["region", "active"]
    search_fields = ["store_id", "name", "public_phone"]
    list_select_related = ["region"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["staff_no", "name", "role", "store", "active"]
    list_filter = ["role", "active", "store__region"]
    search_fields = ["staff_no", "name", "store__name"]
    list_select_related = ["store"]
    autocomplete_fields = ["user", "store"]
