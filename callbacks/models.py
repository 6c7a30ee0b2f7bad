from django.db import models

from campaigns.models import Campaign
from common.models import TimeStampedModel
from members.models import Member
from stores.models import Staff, Store


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"


class Outcome(models.TextChoices):
    REACHED = "reached", "已接通"
    NO_ANSWER = "no_answer", "未接通"
    WRONG_NUMBER = "wrong_number", "空号/错号"
    DO_NOT_CALL = "do_not_call", "拒绝再联系"
    SENT = "sent", "已发送"


# A phone attempt with one of these closes the task (rules.md §2); "no answer" does not,
# and neither does any message.
TERMINAL_OUTCOMES = frozenset({Outcome.REACHED, Outcome.WRONG_NUMBER, Outcome.DO_NOT_CALL})
REASON_KEYWORDS = ("未接通", "空号", "已购买", "无需求", "价格", "拒绝", "在外地", "稍后再联系")


class CallbackTask(TimeStampedModel):
    """One member to call for one campaign, owned by the member's store."""

    class Status(models.TextChoices):
        OPEN = "open", "待回访"
        DONE = "done", "已完成"
        GIVEN_UP = "given_up", "多次未接通"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="callback_tasks")
    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.CASCADE)
    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.PROTECT)
    assigned_to = models.ForeignKey(
        Staff, verbose_name="回访人", null=True, blank=True, on_delete=models.SET_NULL
    )
    phone = models.CharField("手机号", max_length=11, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    phone_attempts = models.PositiveSmallIntegerField("电话次数", default=0)
    last_outcome = models.CharField("最近结果", max_length=20, choices=Outcome.choices, blank=True)
    follow_up_on = models.DateField("下次跟进", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_purchase_on = models.DateField("最近购买", null=True, blank=True)
    spend_last_year = models.DecimalField(
        "近一年消费额", max_digits=14, decimal_places=2, default=0
    )
    reached_hour = models.PositiveSmallIntegerField("上次接通时段", null=True, blank=True)

    class Meta:
        verbose_name = "回访任务"
        verbose_name_plural = "回访任务"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="callback_task_per_member")
        ]
        indexes = [
            models.Index(fields=["campaign", "store", "status"], name="callback_task_store"),
            models.Index(fields=["campaign", "assigned_to", "status"], name="callback_task_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} {self.member.card_no}"


class CallbackAttempt(models.Model):
    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="attempts")
    staff = models.ForeignKey(Staff, verbose_name="回访人", on_delete=models.PROTECT)
    at = models.DateTimeField("时间", db_index=True)
    channel = models.CharField("方式", max_length=10, choices=Channel.choices)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    reasons = models.JSONField("原因", default=list, blank=True)
    note = models.TextField("备注", blank=True)
    follow_up_on = models.DateField("下次跟进", null=True, blank=True)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["staff", "at"], name="callback_attempt_staff_time")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.channel} {self.outcome}"


class Chase(TimeStampedModel):
    """A lead's nudge (催办) to a staff member behind quota; it shows until they catch up."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="chases")
    chased_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    day = models.DateField("日期")
    note = models.CharField("留言", max_length=200, blank=True)
    resolved_at = models.DateTimeField("已赶上", null=True, blank=True)

    class Meta:
        verbose_name = "催办"
        verbose_name_plural = "催办"

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day}"


class Shortfall(models.Model):
    """A staff member's callbacks short of the daily quota on one day (recorded at 08:00)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="shortfalls")
    day = models.DateField("日期")
    done = models.PositiveSmallIntegerField("完成")
    quota = models.PositiveSmallIntegerField("指标")

    class Meta:
        verbose_name = "未达标记录"
        verbose_name_plural = "未达标记录"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "staff", "day"], name="shortfall_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day} {self.done}/{self.quota}"
