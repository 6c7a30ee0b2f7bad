"""Coupons (抵扣券) and gifts (赠品), handbook chapters 4 and 7 (rules.md §8–§9).

Both are kept as cash is: every movement is one append-only ledger row, and a balance is
always the sum of the rows, never a stored figure. A mistake is put right by a reversing
row, so what the ledger said on any day can be read back later.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaigns.models import Campaign
from common.models import TimeStampedModel
from members.models import Member
from stores.models import Staff, Store

FULL_VALUE_FACES = (Decimal("2.00"), Decimal("3.00"), Decimal("5.00"), Decimal("10.00"))


class CouponType(TimeStampedModel):
    """One kind of paper coupon, as marketing defines it; its figures are data, not code."""

    class Kind(models.TextChoices):
        CONDITIONAL = "conditional", "条件抵扣券"
        FULL_VALUE = "full_value", "全额抵扣券"

    code = models.SlugField("券种编码", max_length=40, unique=True)
    name = models.CharField("券种名称", max_length=60)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    face_value = models.DecimalField("面值（元）", max_digits=8, decimal_places=2)
    issue_threshold = models.DecimalField(
        "发券门槛（元）",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="一张小票购物满此金额可得一张",
    )
    redeem_threshold = models.DecimalField(
        "用券门槛（元）",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="条件抵扣券：二次消费正价商品满此金额可用；全额抵扣券留空（正价商品不少于面值即可）",
    )
    valid_months = models.PositiveSmallIntegerField("有效期（月）", default=6)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "抵扣券券种"
        verbose_name_plural = "抵扣券券种"
        ordering = ["kind", "face_value", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(face_value__gt=0), name="coupon_type_face_positive"),
            models.CheckConstraint(
                condition=Q(kind="full_value", face_value__in=FULL_VALUE_FACES)
                | Q(kind="conditional", redeem_threshold__isnull=False),
                name="coupon_type_kind_figures",
                violation_error_message=(
                    "全额抵扣券面值只能是 2、3、5、10 元；条件抵扣券必须有用券门槛。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_full_value(self) -> bool:
        return self.kind == self.Kind.FULL_VALUE


class Coupon(TimeStampedModel):
    """One coupon handed to a customer at the till, from issue to redemption or expiry.

    The receipt figures are what the till entered from the POS screen: a coupon is issued
    and redeemed while the customer waits, long before the day's POS lines are imported, so
    the till states the receipt's amount and its regular-price (非特价) part. The receipt
    itself is stapled to the coupon and checked by finance every month (handbook ch. 4 三).
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "未使用"
        REDEEMED = "redeemed", "已使用"
        EXPIRED = "expired", "已过期"

    serial = models.CharField("券号", max_length=20, unique=True)
    coupon_type = models.ForeignKey(
        CouponType, verbose_name="券种", on_delete=models.PROTECT, related_name="coupons"
    )
    store = models.ForeignKey(
        Store, verbose_name="发券门店", on_delete=models.PROTECT, related_name="coupons_issued"
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    issued_at = models.DateTimeField("发券时间")
    issue_receipt_no = models.CharField("获券小票号", max_length=40)
    issue_amount = models.DecimalField("获券购物金额", max_digits=14, decimal_places=2)
    issued_by = models.ForeignKey(
        Staff, verbose_name="发券人", on_delete=models.PROTECT, related_name="+"
    )
    valid_until = models.DateField("有效期至", db_index=True)
    redeemed_at = models.DateTimeField("用券时间", null=True, blank=True)
    redeemed_store = models.ForeignKey(
        Store,
        verbose_name="用券门店",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupons_redeemed",
    )
    redeem_receipt_no = models.CharField("用券小票号", max_length=40, blank=True)
    redeem_amount = models.DecimalField(
        "用券小票金额", max_digits=14, decimal_places=2, null=True, blank=True
    )
    redeem_regular_amount = models.DecimalField(
        "用券小票正价商品金额", max_digits=14, decimal_places=2, null=True, blank=True
    )
    redeemed_by = models.ForeignKey(
        Staff,
        verbose_name="收券人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expired_at = models.DateTimeField("过期处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "抵扣券"
        verbose_name_plural = "抵扣券"
        ordering = ["-issued_at"]
        constraints = [
            # A receipt earns one coupon of each type.
            models.UniqueConstraint(
                fields=["issue_receipt_no", "coupon_type"], name="coupon_issued_once_per_receipt"
            ),
            # One coupon per receipt: settles two tills redeeming onto one receipt at once.
            models.UniqueConstraint(
                fields=["redeem_receipt_no"],
                condition=~Q(redeem_receipt_no=""),
                name="coupon_one_per_receipt",
            ),
            models.CheckConstraint(
                condition=~Q(redeem_receipt_no=models.F("issue_receipt_no")),
                name="coupon_not_on_its_own_receipt",
            ),
            models.CheckConstraint(
                condition=Q(status="redeemed", redeemed_at__isnull=False)
                | (~Q(status="redeemed") & Q(redeem_receipt_no="")),
                name="coupon_redemption_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class CouponEntry(models.Model):
    """One row of a store's coupon ledger (进销存). `quantity` is the change to the store's
    unused stock: + received from the branch marketing department, − handed to a customer.
    Redemptions (回收) and expiries come back as rows with quantity 0: the coupon was out
    of stock already, and the row records the amount finance writes off."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "领用入库"
        ISSUED = "issued", "发放"
        REDEEMED = "redeemed", "回收"
        EXPIRED = "expired", "过期"
        REVERSAL = "reversal", "冲正"

    store = models.ForeignKey(
        Store, verbose_name="门店", on_delete=models.PROTECT, related_name="coupon_entries"
    )
    coupon_type = models.ForeignKey(CouponType, verbose_name="券种", on_delete=models.PROTECT)
    kind = models.CharField("摘要", max_length=10, choices=Kind.choices)
    at = models.DateTimeField("时间", db_index=True)
    quantity = models.IntegerField("库存变动（张）")
    face_value = models.DecimalField("面值", max_digits=8, decimal_places=2)
    coupon = models.ForeignKey(
        Coupon,
        verbose_name="抵扣券",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    receipt_no = models.CharField("小票号", max_length=40, blank=True)
    purchase_amount = models.DecimalField(
        "购物金额", max_digits=14, decimal_places=2, null=True, blank=True
    )
    signer = models.CharField("领用签收人", max_length=50, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "抵扣券进销存"
        verbose_name_plural = "抵扣券进销存"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["store", "at"], name="coupon_entry_store_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="received", quantity__gt=0)
                | Q(kind="issued", quantity=-1)
                | Q(kind__in=["redeemed", "expired"], quantity=0)
                | Q(kind="reversal", reverses__isnull=False),
                name="coupon_entry_quantity_fits_kind",
            ),
            models.UniqueConstraint(
                fields=["coupon", "kind"],
                condition=Q(coupon__isnull=False),
                name="coupon_entry_once_per_coupon",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.kind} {self.quantity}"

    @property
    def amount(self) -> Decimal:
        """The change to the unused stock in yuan."""
        return self.quantity * self.face_value


class Gift(TimeStampedModel):
    """A gift item; its name is the one a campaign's gift tiers use (formats.md)."""

    name = models.CharField("赠品名称", max_length=100, unique=True)
    value = models.DecimalField("单价（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "赠品"
        verbose_name_plural = "赠品"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="gift_value_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class GiftTransfer(models.Model):
    """Gifts lent by one store to another (门店间调配): one row, and one ledger row on each
    side written in the same transaction."""

    from_store = models.ForeignKey(
        Store, verbose_name="调出门店", on_delete=models.PROTECT, related_name="+"
    )
    to_store = models.ForeignKey(
        Store, verbose_name="调入门店", on_delete=models.PROTECT, related_name="+"
    )
    gift = models.ForeignKey(Gift, verbose_name="赠品", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField("数量")
    at = models.DateTimeField("调配时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "赠品调配"
        verbose_name_plural = "赠品调配"
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_store=models.F("to_store")), name="gift_transfer_two_stores"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="gift_transfer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.from_store_id}→{self.to_store_id} {self.gift_id}×{self.quantity}"


class GiftHandout(models.Model):
    """A campaign gift handed out with a purchase (附表2 活动赠品领用表)."""

    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.PROTECT)
    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.PROTECT)
    handed_on = models.DateField("日期")
    receipt_no = models.CharField("小票编号", max_length=40)
    purchase_amount = models.DecimalField("购物金额", max_digits=14, decimal_places=2)
    gift = models.ForeignKey(Gift, verbose_name="赠品", on_delete=models.PROTECT)
    gift_value = models.DecimalField("礼品金额", max_digits=10, decimal_places=2)
    customer_confirmed = models.BooleanField("顾客签字确认")
    handler = models.ForeignKey(
        Staff, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    second_handler = models.ForeignKey(
        Staff, verbose_name="第二经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "活动赠品领用"
        verbose_name_plural = "活动赠品领用"
        ordering = ["handed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "receipt_no"], name="gift_handout_once_per_receipt"
            ),
            models.CheckConstraint(
                condition=~Q(handler=models.F("second_handler")), name="gift_handout_two_handlers"
            ),
            models.CheckConstraint(
                condition=Q(customer_confirmed=True), name="gift_handout_confirmed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.gift_id}"


class PointsRedemption(models.Model):
    """A member's points exchanged for a gift (附表1 会员赠品领用表)."""

    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.PROTECT)
    member = models.ForeignKey(
        Member,
        verbose_name="会员",
        to_field="card_no",
        db_column="card_no",
        on_delete=models.PROTECT,
        related_name="+",
    )
    redeemed_on = models.DateField("日期")
    points_before = models.PositiveIntegerField("原积分")
    points_deducted = models.PositiveIntegerField("减积分")
    gift = models.ForeignKey(Gift, verbose_name="兑换品种", on_delete=models.PROTECT)
    gift_value = models.DecimalField("兑换赠品金额", max_digits=10, decimal_places=2)
    customer_confirmed = models.BooleanField("顾客签字确认")
    handler = models.ForeignKey(
        Staff, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "会员积分兑换"
        verbose_name_plural = "会员积分兑换"
        ordering = ["redeemed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_deducted__gt=0, points_deducted__lte=models.F("points_before")),
                name="points_redemption_within_points",
            ),
            models.CheckConstraint(
                condition=Q(customer_confirmed=True), name="points_redemption_confirmed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} −{self.points_deducted}"


class GiftEntry(models.Model):
    """One row of a store's gift ledger; `quantity` is signed (+ in, − out)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "入库"
        HANDED_OUT = "handed_out", "活动赠送"
        POINTS = "points", "积分兑换"
        TRANSFER_OUT = "transfer_out", "调出"
        TRANSFER_IN = "transfer_in", "调入"

    store = models.ForeignKey(
        Store, verbose_name="门店", on_delete=models.PROTECT, related_name="gift_entries"
    )
    gift = models.ForeignKey(Gift, verbose_name="赠品", on_delete=models.PROTECT)
    kind = models.CharField("摘要", max_length=12, choices=Kind.choices)
    at = models.DateTimeField("时间", db_index=True)
    quantity = models.IntegerField("数量变动")
    transfer = models.ForeignKey(
        GiftTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    handout = models.OneToOneField(
        GiftHandout, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    points_redemption = models.OneToOneField(
        PointsRedemption, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "赠品进销存"
        verbose_name_plural = "赠品进销存"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["store", "gift"], name="gift_entry_store_gift")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["received", "transfer_in"], quantity__gt=0)
                | Q(kind__in=["handed_out", "points", "transfer_out"], quantity__lt=0),
                name="gift_entry_sign_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["transfer_out", "transfer_in"], transfer__isnull=False)
                | ~Q(kind__in=["transfer_out", "transfer_in"]),
                name="gift_entry_transfer_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.gift_id} {self.kind} {self.quantity}"


class CouponMonthlyReport(TimeStampedModel):
    """A store's monthly coupon report (附表3), due on the 28th; a re-run replaces the file."""

    store = models.ForeignKey(Store, verbose_name="门店", on_delete=models.CASCADE)
    period_start = models.DateField("起始日")
    period_end = models.DateField("截止日")
    file = models.FileField("报表文件", upload_to="coupons/monthly/%Y/%m/")

    class Meta:
        verbose_name = "抵扣券月报"
        verbose_name_plural = "抵扣券月报"
        ordering = ["-period_end", "store_id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "period_end"], name="coupon_monthly_once")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.period_end}"
