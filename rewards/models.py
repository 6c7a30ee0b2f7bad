from django.conf import settings
from django.db import models

from campaigns.models import Campaign
from presale.models import YouzanOrder
from stores.models import Region, Staff, Store

MONEY = {"max_digits": 14, "decimal_places": 2}


class SettlementRun(models.Model):
    """One computation of a campaign's settlement: a new version every time, holding all its
    lines. Finance approves one version; it is locked from then on, and a later run is a
    new version beside it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待审批"
        APPROVED = "approved", "已审批"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="settlements", verbose_name="活动"
    )
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pay_total = models.DecimalField("应付合计", **MONEY, default=0)
    owe_total = models.DecimalField("应收合计", **MONEY, default=0)
    line_count = models.PositiveIntegerField("明细行数", default=0)
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        Staff,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "结算版本"
        verbose_name_plural = "结算版本"
        ordering = ["campaign_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="settlement_version_once"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(approved_at__isnull=False, approved_by__isnull=False),
                name="settlement_approval_is_stamped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} v{self.version}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED


class SettlementLine(models.Model):
    """One amount paid to or owed by a region, store or staff member, with the rule that
    made it and the facts it was computed from, as they were when the run was made."""

    class RecipientType(models.TextChoices):
        REGION = "region", "片区"
        STORE = "store", "门店"
        STAFF = "staff", "员工"

    class Direction(models.TextChoices):
        PAY = "pay", "应付"
        OWE = "owe", "应收"

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField("序号")
    kind = models.CharField("规则类型", max_length=40)
    rule_number = models.PositiveSmallIntegerField("规则序号")
    recipient_type = models.CharField("对象类型", max_length=10, choices=RecipientType.choices)
    recipient = models.CharField("对象", max_length=64)
    # The line's holders, for scope and totals: a staff line names its store and region,
    # a store line its region. The run reads them from those very rows, and a chain's run
    # writes millions of lines, so the database does not check each reference again at
    # commit (Django still protects them on delete).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    store = models.ForeignKey(
        Store,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    order = models.ForeignKey(
        YouzanOrder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        YouzanOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    amount = models.DecimalField("金额", **MONEY)
    # What the line stands for across versions (rule, recipient, order or day), so two runs
    # can be compared line by line.
    identity = models.CharField("标识", max_length=200)
    facts = models.JSONField("依据", default=dict)

    class Meta:
        verbose_name = "结算明细"
        verbose_name_plural = "结算明细"
        ordering = ["run_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="settlement_line_position"),
            models.UniqueConstraint(fields=["run", "identity"], name="settlement_line_identity"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="settlement_line_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "kind", "position"], name="settlement_line_kind"),
            models.Index(fields=["run", "region", "store"], name="settlement_line_holder"),
            models.Index(fields=["run", "staff"], name="settlement_line_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.recipient} {self.direction} {self.amount}"
