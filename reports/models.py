from django.db import models

from campaigns.models import Campaign
from stores.models import Region, Staff, Store

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class DaySnapshot(models.Model):
    """A holder's campaign figures at the end of one day, written by the nightly job."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    day = models.DateField("日期")
    presale_amount = models.DecimalField("当日预售", **MONEY)
    presale_orders = models.PositiveIntegerField("当日预售单数", default=0)
    presale_to_date = models.DecimalField("累计预售", **MONEY)
    sales_to_date = models.DecimalField("累计销售", **MONEY)
    target = models.DecimalField("目标", **MONEY)
    callbacks_today = models.PositiveIntegerField("当日回访", default=0)
    callbacks_to_date = models.PositiveIntegerField("累计回访", default=0)
    # When the to-date sales figure was reached: the earlier ranks first on a tie.
    reached_at = models.DateTimeField("达到时间", null=True, blank=True)
    rank = models.PositiveIntegerField("排名")

    class Meta:
        abstract = True

    @property
    def completion(self):
        return self.sales_to_date / self.target if self.target else None

    @property
    def presale_share(self):
        return self.presale_to_date / self.target if self.target else None


class StoreDay(DaySnapshot):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="snapshots")
    audience = models.PositiveIntegerField("回访会员", default=0)
    zero_store = models.BooleanField("挂0", default=False)
    region_rank = models.PositiveIntegerField("片区内排名")

    class Meta:
        verbose_name = "门店日报快照"
        verbose_name_plural = "门店日报快照"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "store", "day"], name="store_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day}"


class RegionDay(DaySnapshot):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="snapshots")
    audience = models.PositiveIntegerField("回访会员", default=0)
    zero_stores = models.PositiveIntegerField("挂0门店数", default=0)

    class Meta:
        verbose_name = "片区日报快照"
        verbose_name_plural = "片区日报快照"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region", "day"], name="region_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"


class StaffDay(DaySnapshot):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="snapshots")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    quota = models.PositiveSmallIntegerField("每日回访指标", default=0)

    class Meta:
        verbose_name = "员工日报快照"
        verbose_name_plural = "员工日报快照"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "staff", "day"], name="staff_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day}"
