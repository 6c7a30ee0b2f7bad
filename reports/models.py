from django.db import models
from django.utils import timezone

from campaigns.models import Campaign
from common.models import TimeStampedModel
from stores.models import Region, Staff, Store

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class DaySnapshot(models.Model):
    """A holder's campaign figures at the end of one day, written by the nightly job."""

    # Every snapshot table's unique constraint starts with the campaign: no index of its own.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, db_index=False)
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
        indexes = [models.Index(fields=["campaign", "day", "rank"], name="store_day_rank")]

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
        # A region's or a store's staff of one day, and the chain's staff in rank order.
        indexes = [
            models.Index(fields=["campaign", "day", "store", "rank"], name="staff_day_store"),
            models.Index(fields=["campaign", "day", "rank"], name="staff_day_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day}"


class NightlyReport(TimeStampedModel):
    """The whole chain's nightly workbook of one campaign and day; a re-run replaces the file.
    Region leads' workbooks are built from the same snapshots when they are needed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, verbose_name="活动")
    day = models.DateField("日期")
    file = models.FileField("日报文件", upload_to="reports/nightly/%Y/%m/")

    class Meta:
        verbose_name = "夜间日报"
        verbose_name_plural = "夜间日报"
        ordering = ["-day", "campaign_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="nightly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"


class NightlyMail(models.Model):
    """One recipient's nightly report e-mail: sent, skipped (with why) or failed."""

    class Status(models.TextChoices):
        SENT = "sent", "已发送"
        SKIPPED = "skipped", "已跳过"
        FAILED = "failed", "发送失败"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, verbose_name="活动")
    day = models.DateField("日期")
    # Empty for the whole chain's workbook sent to operations.
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, verbose_name="片区"
    )
    recipients = models.CharField("收件人", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    reason = models.CharField("说明", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "日报邮件"
        verbose_name_plural = "日报邮件"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.day} {self.recipients or self.reason}"


class RegionRobot(TimeStampedModel):
    """A region's DingTalk group robot (custom robot with signing)."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="robot", verbose_name="片区"
    )
    webhook_url = models.URLField("Webhook 地址", max_length=500)
    secret = models.CharField("加签密钥", max_length=200)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "钉钉群机器人"
        verbose_name_plural = "钉钉群机器人"

    def __str__(self) -> str:
        return f"{self.region} 钉钉机器人"


class RobotPost(models.Model):
    """A region's nightly summary posted to its robot: one row per post, updated after every
    attempt so a failure shows how often it was tried and what the last answer was."""

    class Status(models.TextChoices):
        PENDING = "pending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, verbose_name="活动")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, verbose_name="片区")
    day = models.DateField("日期")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    http_status = models.PositiveSmallIntegerField("HTTP 状态码", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    at = models.DateTimeField("最后尝试时间", default=timezone.now)

    class Meta:
        verbose_name = "机器人推送"
        verbose_name_plural = "机器人推送"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.status}"
