import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from coupons.services import coupon_issue, coupon_stock_receive
from stores.models import Role
from tests.coupons.factories import ConditionalCouponTypeFactory, FullValueCouponTypeFactory
from tests.factories import StaffFactory, StoreFactory


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A time of day in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def store(db):
    return StoreFactory(store_id=307, name="驷马桥店")


@pytest.fixture
def other_store(db):
    return StoreFactory(store_id=412, name="春熙路店")


@pytest.fixture
def clerk(store):
    return StaffFactory(store=store, name="郭敏娟")


@pytest.fixture
def manager(store):
    return StaffFactory(store=store, name="徐梅", role=Role.STORE_MANAGER)


@pytest.fixture
def other_clerk(other_store):
    return StaffFactory(store=other_store, name="李娜")


@pytest.fixture
def conditional(db):
    return ConditionalCouponTypeFactory()


@pytest.fixture
def full_value(db):
    return FullValueCouponTypeFactory()


@pytest.fixture
def stocked(store, other_store, clerk, other_clerk, conditional, full_value):
    """Both stores hold 20 of each coupon type."""
    for shop, staff in ((store, clerk), (other_store, other_clerk)):
        for coupon_type in (conditional, full_value):
            coupon_stock_receive(
                store=shop, coupon_type=coupon_type, quantity=20, signer="张会计", user=staff.user
            )


@pytest.fixture
def issue(stocked, store, clerk, conditional):
    """Issue a coupon at the store (a 满68抵10 on a 100-yuan receipt unless told)."""

    def make(receipt_no="R0001", amount="100.00", coupon_type=None, when=None):
        return coupon_issue(
            store=store,
            coupon_type=coupon_type or conditional,
            receipt_no=receipt_no,
            purchase_amount=Decimal(amount),
            user=clerk.user,
            at=when,
        )

    return make
