from django.contrib.auth.models import AbstractUser
from django.db import models

from common.models import TimeStampedModel


class User(AbstractUser):
    """A login. Its role and store come from the Staff record attached to it."""

    class Meta(AbstractUser.Meta):
        verbose_name = "登录账号"
        verbose_name_plural = "登录账号"


class Role(models.TextChoices):
    CLERK = "clerk", "店员"
    STORE_MANAGER = "store_manager", "店长"
    REGION_LEAD = "region_lead", "片长"
    OPERATIONS = "operations", "营运部"
    FINANCE = "finance", "财务"
    ADMIN = "admin", "管理员"


STORE_ROLES = frozenset({Role.CLERK, Role.STORE_MANAGER})
CHAIN_ROLES = frozenset({Role.OPERATIONS, Role.FINANCE, Role.ADMIN})


class Region(TimeStampedModel):
    name = models.CharField("片区", max_length=50, unique=True)
    lead = models.ForeignKey(
        "Staff",
        verbose_name="片长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_regions",
        limit_choices_to={"role": Role.REGION_LEAD},
    )

    class Meta:
        verbose_name = "片区"
        verbose_name_plural = "片区"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Store(TimeStampedModel):
    store_id = models.PositiveIntegerField("门店ID", unique=True, help_text="POS 中的门店编号")
    name = models.CharField("门店名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="片区", on_delete=models.PROTECT, related_name="stores"
    )
    public_phone = models.CharField("公共手机", max_length=20, blank=True)
    mailbox = models.EmailField("门店邮箱", blank=True)
    active = models.BooleanField("营业中", default=True)

    class Meta:
        verbose_name = "门店"
        verbose_name_plural = "门店"
        ordering = ["store_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["public_phone"],
                condition=~models.Q(public_phone=""),
                name="store_public_phone_unique",
                violation_error_message="该公共手机已绑定其他门店。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.name}"


class Staff(TimeStampedModel):
    user = models.OneToOneField(
        User, verbose_name="登录账号", on_delete=models.CASCADE, related_name="staff"
    )
    staff_no = models.CharField("员工销售ID", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("岗位", max_length=20, choices=Role.choices)
    store = models.ForeignKey(
        Store,
        verbose_name="门店",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    active = models.BooleanField("在职", default=True)

    class Meta:
        verbose_name = "员工"
        verbose_name_plural = "员工"
        ordering = ["staff_no"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.CLERK, Role.STORE_MANAGER])
                | models.Q(store__isnull=False),
                name="store_staff_have_store",
                violation_error_message="店员和店长必须属于一个门店。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_no} {self.name}"
