from decimal import Decimal

import factory

from coupons.models import CouponType, Gift


class ConditionalCouponTypeFactory(factory.django.DjangoModelFactory):
    """满68抵10: issued on a receipt of at least 50, redeemed on 68 of regular-price goods."""

    class Meta:
        model = CouponType
        django_get_or_create = ["code"]

    code = "conditional-68-10"
    name = "满68抵10"
    kind = CouponType.Kind.CONDITIONAL
    face_value = Decimal("10.00")
    issue_threshold = Decimal("50.00")
    redeem_threshold = Decimal("68.00")


class FullValueCouponTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponType
        django_get_or_create = ["code"]

    code = "full-value-5"
    name = "全额抵扣券5元"
    kind = CouponType.Kind.FULL_VALUE
    face_value = Decimal("5.00")


class GiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gift
        django_get_or_create = ["name"]

    name = "柔润面膜5片"
    value = Decimal("45.00")
