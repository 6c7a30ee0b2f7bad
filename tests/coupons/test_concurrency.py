import threading
from decimal import Decimal

import pytest
from django.db import connection

from common.dates import local_today
from common.errors import Conflict
from coupons.models import Coupon, CouponEntry
from coupons.selectors import coupon_ledger_summary, coupon_stock
from coupons.services import coupon_issue, coupon_redeem, coupon_stock_receive
from tests.coupons.factories import ConditionalCouponTypeFactory
from tests.factories import StaffFactory, StoreFactory

TILLS = 20


@pytest.mark.postgres
def test_twenty_tills_redeeming_one_coupon_at_once_give_one_success(transactional_db):
    store = StoreFactory()
    cashiers = [StaffFactory(store=store) for _ in range(TILLS)]
    coupon_type = ConditionalCouponTypeFactory()
    coupon_stock_receive(
        store=store, coupon_type=coupon_type, quantity=5, signer="张会计", user=cashiers[0].user
    )
    coupon = coupon_issue(
        store=store,
        coupon_type=coupon_type,
        receipt_no="R0001",
        purchase_amount=Decimal("100"),
        user=cashiers[0].user,
    )
    barrier = threading.Barrier(TILLS)
    successes: list[str] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def till(number: int) -> None:
        try:
            barrier.wait(timeout=20)
            coupon_redeem(
                store=store,
                serial=coupon.serial,
                receipt_no=f"R1{number:03d}",
                receipt_amount=Decimal("100"),
                user=cashiers[number].user,
            )
            successes.append(f"R1{number:03d}")
        except Conflict as refusal:
            refusals.append(refusal.message)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=till, args=(number,)) for number in range(TILLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(successes) == 1
    assert len(refusals) == TILLS - 1
    assert all("不能重复使用" in message and successes[0] in message for message in refusals)
    coupon.refresh_from_db()
    assert coupon.status == Coupon.Status.REDEEMED
    assert coupon.redeem_receipt_no == successes[0]
    assert CouponEntry.objects.filter(coupon=coupon, kind=CouponEntry.Kind.REDEEMED).count() == 1
    assert coupon_stock(store, coupon_type) == 4
    today = local_today()
    summary = coupon_ledger_summary(store, today, today)
    assert (summary.closing, summary.redeemed) == (Decimal("40.00"), Decimal("10.00"))
