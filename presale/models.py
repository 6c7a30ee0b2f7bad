from django.db import models
from django.db.models import Case, F, Value, When

from common.models import TimeStampedModel
from stores.models import Staff, Store

MONEY = {"max_digits": 14, "decimal_places": 2}


class YouzanOrder(TimeStampedModel):
    """An order of the Youzan order export (订单维度); a later export updates it."""

    order_no = models.CharField("订单号", max_length=64, unique=True)
    status = models.CharField("订单状态", max_length=20)
    ordered_at = models.DateTimeField("订单创建时间", null=True, blank=True)
    paid_at = models.DateTimeField("买家付款时间", null=True, blank=True, db_index=True)
    paid_amount = models.DecimalField("订单实付金额", **MONEY, default=0)
    refunded_amount = models.DecimalField("订单已退款金额", **MONEY, default=0)
    refund_status = models.CharField("订单退款状态", max_length=40, blank=True)
    # Paid minus refunded; an order never paid counts 0 (rules.md §4).
    net_amount = models.GeneratedField(
        expression=Case(
            When(paid_at__isnull=True, then=Value(0)),
            default=F("paid_amount") - F("refunded_amount"),
            output_field=models.DecimalField(**MONEY),
        ),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
    )
    items = models.TextField("全部商品名称", blank=True)
    buyer_note = models.CharField("买家备注", max_length=500, blank=True)
    buyer_name = models.CharField("买家姓名", max_length=100, blank=True)
    buyer_phone = models.CharField("买家手机号", max_length=20, blank=True)
    # Set from the salesman export: the distributor is a store's public phone, and that
    # store is the order's; null while no store has that phone (unattributed).
    distributor_phone = models.CharField("分销员手机号", max_length=20, blank=True, db_default="")
    store = models.ForeignKey(
        Store,
        verbose_name="门店",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presale_orders",
    )
    registered_staff = models.ForeignKey(
        Staff,
        verbose_name="销售员工",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presale_orders",
    )

    class Meta:
        verbose_name = "有赞订单"
        verbose_name_plural = "有赞订单"
        indexes = [models.Index(fields=["store", "paid_at"], name="youzan_order_store_paid")]

    def __str__(self) -> str:
        return self.order_no

    @property
    def picked_up(self) -> bool:
        return "已取货" in self.buyer_note


class YouzanOrderItem(TimeStampedModel):
    """A product line of the item export (商品维度); joined to its order by number."""

    order = models.ForeignKey(
        YouzanOrder,
        to_field="order_no",
        db_column="order_no",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="lines",
    )
    spec_code = models.CharField("规格编码", max_length=64, blank=True)
    position = models.PositiveSmallIntegerField("序号", default=1)
    product_name = models.CharField("商品名称", max_length=200)
    spec = models.CharField("商品规格", max_length=200, blank=True)
    product_code = models.CharField("商品编码", max_length=64, blank=True)
    unit_price = models.DecimalField("商品单价", **MONEY, null=True, blank=True)
    qty = models.DecimalField("商品数量", max_digits=12, decimal_places=3)
    paid_amount = models.DecimalField("商品实际成交金额", **MONEY)
    refunded_amount = models.DecimalField("商品已退款金额", **MONEY, default=0)
    refund_status = models.CharField("商品退款状态", max_length=40, blank=True)

    class Meta:
        verbose_name = "有赞订单商品"
        verbose_name_plural = "有赞订单商品"
        constraints = [
            models.UniqueConstraint(
                fields=["order", "spec_code", "position"], name="youzan_item_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.product_name}"


class YouzanSale(TimeStampedModel):
    """A line of the salesman performance export (业绩结算表): who distributed an order."""

    order_no = models.CharField("订单号", max_length=64, unique=True)
    distributor_phone = models.CharField("分销员手机号", max_length=20, db_index=True)
    distributor_name = models.CharField("分销员昵称", max_length=100, blank=True)
    store_info = models.CharField("门店信息", max_length=200, blank=True)
    deal_amount = models.DecimalField("成交金额", **MONEY, null=True, blank=True)
    ordered_at = models.DateTimeField("下单时间", null=True, blank=True)

    class Meta:
        verbose_name = "分销业绩"
        verbose_name_plural = "分销业绩"

    def __str__(self) -> str:
        return f"{self.order_no} {self.distributor_phone}"


class Penalty(TimeStampedModel):
    """A zero store's staff member owes the seed's penalty the day after (rules.md §6):
    evidence uploaded, or an exemption with a reason, then checked by the 片长."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE)
    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.CASCADE)
    staff = models.ForeignKey(
        Staff, verbose_name="员工", on_delete=models.CASCADE, related_name="penalties"
    )
    zero_day = models.DateField("挂0日期")
    due_on = models.DateField("应完成日期")
    evidence = models.FileField("视频或照片", upload_to="penalties/%Y/%m/", blank=True)
    evidence_at = models.DateTimeField("上传时间", null=True, blank=True)
    exemption_reason = models.CharField("免做原因", max_length=200, blank=True)
    checked_by = models.ForeignKey(
        Staff,
        verbose_name="检查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField("检查时间", null=True, blank=True)

    class Meta:
        verbose_name = "挂0处罚"
        verbose_name_plural = "挂0处罚"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "staff", "zero_day"], name="penalty_per_staff_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.zero_day}"

    @property
    def settled(self) -> bool:
        return bool(self.evidence) or bool(self.exemption_reason)


class ReportedAmount(TimeStampedModel):
    """The presale amount a 片长 reported for a store and day (片长每晚上报)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE)
    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.CASCADE)
    day = models.DateField("日期")
    amount = models.DecimalField("上报金额", **MONEY)
    reported_by = models.ForeignKey(Staff, verbose_name="上报人", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "片长上报金额"
        verbose_name_plural = "片长上报金额"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "store", "day"], name="reported_amount_per_store_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.amount}"
