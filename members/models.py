from django.db import models

from common.models import TimeStampedModel
from stores.models import Store


class Member(TimeStampedModel):
    card_no = models.CharField("会员卡号", max_length=32, unique=True)
    name = models.CharField("会员姓名", max_length=50, blank=True)
    # Normalised mobile, or "" when the master had none that is valid: kept, never called.
    phone = models.CharField("手机号", max_length=11, blank=True)
    store = models.ForeignKey(
        Store, verbose_name="开卡门店", on_delete=models.PROTECT, related_name="members"
    )
    joined_on = models.DateField("开卡日期", null=True, blank=True)
    points = models.IntegerField("积分", null=True, blank=True)

    class Meta:
        verbose_name = "会员"
        verbose_name_plural = "会员"
        ordering = ["card_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(phone=""),
                name="member_phone_unique_when_valid",
                violation_error_message="该手机号已属于另一位会员。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.card_no} {self.name}"


class SaleLine(TimeStampedModel):
    """One item line of a POS receipt (零售明细): purchase history and every sales figure."""

    receipt_no = models.CharField("零售单号", max_length=40)
    line_no = models.PositiveIntegerField("行号")
    sold_at = models.DateTimeField("销售时间")
    # Neither foreign key gets an index of its own: (store, sold_at) and (member, sold_at)
    # below serve the same lookups, and every index slows a million-line import.
    store = models.ForeignKey(
        Store,
        verbose_name="门店",
        on_delete=models.PROTECT,
        related_name="sale_lines",
        db_index=False,
    )
    # Joined by card number without a constraint: POS lines often arrive before the
    # member master that holds their card, and non-members have none.
    member = models.ForeignKey(
        Member,
        verbose_name="会员",
        to_field="card_no",
        db_column="card_no",
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="sale_lines",
    )
    product_code = models.CharField("商品编码", max_length=40)
    product_name = models.CharField("商品名称", max_length=200)
    brand = models.CharField("品牌", max_length=60, blank=True)
    qty = models.DecimalField("数量", max_digits=12, decimal_places=3)
    amount = models.DecimalField("实收金额", max_digits=14, decimal_places=2)
    channel = models.CharField("销售渠道", max_length=40, blank=True)
    external_order_no = models.CharField("外部订单号", max_length=64, blank=True)
    staff_no = models.CharField("员工销售ID", max_length=32, blank=True)

    class Meta:
        verbose_name = "零售明细"
        verbose_name_plural = "零售明细"
        constraints = [
            models.UniqueConstraint(fields=["receipt_no", "line_no"], name="sale_line_natural_key")
        ]
        indexes = [
            models.Index(fields=["brand", "sold_at"], name="sale_line_brand_time"),
            models.Index(fields=["member", "sold_at"], name="sale_line_member_time"),
            models.Index(fields=["store", "sold_at"], name="sale_line_store_time"),
            models.Index(fields=["external_order_no"], name="sale_line_external_order"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no}/{self.line_no}"


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
