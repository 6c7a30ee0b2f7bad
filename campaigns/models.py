import datetime

from django.conf import settings
from django.db import models

from common.dates import local_day_range
from common.models import TimeStampedModel
from stores.models import Region, Staff, Store


class Campaign(TimeStampedModel):
    """A brand campaign, as its JSON document describes it (formats.md)."""

    code = models.SlugField("活动编码", max_length=50, unique=True)
    name = models.CharField("活动名称", max_length=100)
    brand = models.CharField("品牌", max_length=60)
    callbacks_start = models.DateField("回访开始")
    callbacks_end = models.DateField("回访截止")
    presale_start = models.DateField("预售开始")
    presale_end = models.DateField("预售结束")
    booking_start = models.DateField("下账开始", null=True, blank=True)
    booking_end = models.DateField("下账结束", null=True, blank=True)
    audience_brand = models.CharField("目标人群品牌", max_length=60, blank=True)
    audience_months = models.PositiveSmallIntegerField("近几个月", null=True, blank=True)
    audience_reference_date = models.DateField("基准日", null=True, blank=True)
    audience_list = models.CharField(
        "回访名单", max_length=100, blank=True, help_text="使用导入的回访名单时填写名单名称"
    )
    per_member_target = models.DecimalField("人均目标（元）", max_digits=10, decimal_places=2)
    presale_share = models.DecimalField("预售占比", max_digits=4, decimal_places=2)
    daily_quota = models.PositiveSmallIntegerField("每人每日回访数", default=5)
    max_phone_attempts = models.PositiveSmallIntegerField("最多电话次数", default=3)
    gift_tiers = models.JSONField("满赠档位", default=list, blank=True)
    buy_one_get_one = models.JSONField("买一送一商品", default=list, blank=True)
    rules = models.JSONField("奖励规则", default=list, blank=True)
    script = models.JSONField("回访话术", default=dict, blank=True)
    # The document's "assessment" object (baseline days, goals, conversion days), as read by
    # campaigns.documents; empty when the document had none, and the defaults apply.
    assessment = models.JSONField("活动考核参数", default=dict, blank=True)
    # Document fields this version does not know, kept so an export gives them back.
    extra = models.JSONField(default=dict, blank=True, editable=False)
    active = models.BooleanField("进行中", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-presale_start"]

    def __str__(self) -> str:
        return self.name

    @property
    def presale_period(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The presale window as [start, end) by payment time (rules.md §4)."""
        return local_day_range(self.presale_start, self.presale_end)


class Target(TimeStampedModel):
    """A sales target of one region, store or staff member in a campaign."""

    class Level(models.TextChoices):
        REGION = "region", "片区"
        STORE = "store", "门店"
        STAFF = "staff", "员工"

    class Source(models.TextChoices):
        DEFAULT = "default", "按会员数计算"
        DOCUMENT = "document", "活动文件指定"
        MANUAL = "manual", "手工分解"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE)
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.CASCADE)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE)
    amount = models.DecimalField("目标（元）", max_digits=14, decimal_places=2)
    members = models.PositiveIntegerField("会员数", default=0)
    source = models.CharField("来源", max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "region"],
                condition=models.Q(level="region"),
                name="target_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["campaign", "store"],
                condition=models.Q(level="store"),
                name="target_one_per_store",
            ),
            models.UniqueConstraint(
                fields=["campaign", "staff"],
                condition=models.Q(level="staff"),
                name="target_one_per_staff",
            ),
            models.CheckConstraint(
                condition=models.Q(level="region", region__isnull=False)
                | models.Q(level="store", store__isnull=False)
                | models.Q(level="staff", staff__isnull=False),
                name="target_names_its_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} {self.level} {self.amount}"
