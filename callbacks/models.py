from django.db import models

from common.models import TimeStampedModel
from members.models import Member
from stores.models import Store


class CallbackList(TimeStampedModel):
    """A named list of members to call (指定会员回访登记), e.g. "20221009"."""

    name = models.CharField("名单名称", max_length=100, unique=True)

    class Meta:
        verbose_name = "回访名单"
        verbose_name_plural = "回访名单"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CallbackListEntry(TimeStampedModel):
    callback_list = models.ForeignKey(
        CallbackList,
        verbose_name="回访名单",
        to_field="name",
        db_column="list_name",
        on_delete=models.CASCADE,
        related_name="entries",
    )
    # By card number without a constraint: a list may name members the master lacks.
    member = models.ForeignKey(
        Member,
        verbose_name="会员",
        to_field="card_no",
        db_column="card_no",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="callback_list_entries",
    )
    phone = models.CharField("手机号", max_length=11)
    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.PROTECT)
    last_purchase_on = models.DateField("最近购买日期", null=True, blank=True)
    spend_last_year = models.DecimalField(
        "近一年消费额", max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "回访名单会员"
        verbose_name_plural = "回访名单会员"
        constraints = [
            models.UniqueConstraint(
                fields=["callback_list", "member"], name="callback_list_entry_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.callback_list_id} {self.member_id}"
