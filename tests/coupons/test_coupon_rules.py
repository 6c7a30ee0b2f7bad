"""Each coupon rule of handbook chapter 4 (rules.md §8), with the message the cashier sees."""

import datetime
from decimal import Decimal

import pytest

from common.dates import local_today
from common.errors import Conflict, PermissionDenied, ServiceError
from coupons.models import Coupon, CouponEntry
from coupons.selectors import coupon_stock
from coupons.services import (
    coupon_entry_reverse,
    coupon_issue,
    coupon_redeem,
    coupon_stock_receive,
    coupons_expire,
)
from members.models import SaleLine
from tests.coupons.conftest import at


def redeem(store, staff, serial, receipt_no="R0002", amount="68.00", special="0", when=None):
    return coupon_redeem(
        store=store,
        serial=serial,
        receipt_no=receipt_no,
        receipt_amount=Decimal(amount),
        special_amount=Decimal(special),
        user=staff.user,
        at=when,
    )


def test_a_receipt_just_below_the_issue_threshold_gets_no_coupon(issue, store, conditional):
    with pytest.raises(
        ServiceError, match=r"小票金额 ¥49\.99 未满发券门槛 ¥50\.00，不能发“满68抵10”"
    ):
        issue(amount="49.99")
    assert coupon_stock(store, conditional) == 20


def test_a_receipt_at_the_threshold_gets_a_coupon_valid_six_months(issue, store, conditional):
    coupon = issue(amount="50.00", when=at(datetime.date(2026, 3, 15)))

    assert coupon.status == Coupon.Status.ISSUED
    assert len(coupon.serial) == 12
    assert coupon.valid_until == datetime.date(2026, 9, 14)
    assert coupon_stock(store, conditional) == 19


def test_a_receipt_earns_each_coupon_type_once(issue):
    first = issue(receipt_no="R0001")
    with pytest.raises(Conflict, match=f"小票 R0001 已发过“满68抵10”（券号 {first.serial}）"):
        issue(receipt_no="R0001")


def test_no_coupon_is_issued_from_an_empty_stock(store, clerk, conditional):
    with pytest.raises(
        ServiceError, match="本店“满68抵10”库存为 0，请先到分公司市场部领取并登记入库"
    ):
        coupon_issue(
            store=store,
            coupon_type=conditional,
            receipt_no="R0001",
            purchase_amount=Decimal("100"),
            user=clerk.user,
        )


def test_a_receipt_of_another_store_is_refused(issue, other_store):
    SaleLine.objects.create(
        receipt_no="R0001",
        line_no=1,
        sold_at=at(local_today()),
        store=other_store,
        product_code="P1",
        product_name="薇诺娜舒敏保湿特护霜",
        qty=1,
        amount=Decimal("100"),
    )
    with pytest.raises(ServiceError, match="小票 R0001 是门店 412 春熙路店 的小票"):
        issue(receipt_no="R0001")


def test_only_the_stores_own_staff_work_its_till(stocked, store, other_clerk, conditional):
    with pytest.raises(PermissionDenied, match="只有本店员工可以在本店收银台发券、收券"):
        coupon_issue(
            store=store,
            coupon_type=conditional,
            receipt_no="R0001",
            purchase_amount=Decimal("100"),
            user=other_clerk.user,
        )


def test_redeem_threshold_edges_on_regular_price_goods(issue, store, clerk):
    coupon = issue()
    with pytest.raises(
        ServiceError, match=r"正价商品金额 ¥67\.99 未满 ¥68\.00，不能使用“满68抵10”"
    ):
        redeem(store, clerk, coupon.serial, amount="67.99")

    redeemed = redeem(store, clerk, coupon.serial, amount="68.00")
    assert redeemed.status == Coupon.Status.REDEEMED
    assert redeemed.redeem_receipt_no == "R0002"
    assert redeemed.redeem_regular_amount == Decimal("68.00")


def test_special_price_goods_do_not_count_towards_the_threshold(issue, store, clerk):
    coupon = issue()
    with pytest.raises(
        ServiceError, match=r"正价商品金额 ¥60\.00 未满 ¥68\.00.*（特价商品不计入）"
    ):
        redeem(store, clerk, coupon.serial, amount="80.00", special="20.00")
    with pytest.raises(ServiceError, match="特价商品金额不能大于小票金额"):
        redeem(store, clerk, coupon.serial, amount="80.00", special="80.01")

    assert redeem(store, clerk, coupon.serial, amount="88.00", special="20.00").status == "redeemed"


def test_a_coupon_is_never_used_on_the_receipt_that_earned_it(issue, store, clerk):
    coupon = issue(receipt_no="R0001")
    with pytest.raises(ServiceError, match="这张券是小票 R0001 购物时获得的，不能在获券当时使用"):
        redeem(store, clerk, coupon.serial, receipt_no="R0001", amount="100.00")
    coupon.refresh_from_db()
    assert coupon.status == Coupon.Status.ISSUED


def test_a_second_coupon_on_one_receipt_is_refused(issue, store, clerk):
    first, second = issue(receipt_no="R0001"), issue(receipt_no="R0003")
    redeem(store, clerk, first.serial, receipt_no="R0009", amount="200.00")

    with pytest.raises(
        Conflict, match=f"小票 R0009 已使用过一张抵扣券（券号 {first.serial}），每张小票限用一张"
    ):
        redeem(store, clerk, second.serial, receipt_no="R0009", amount="200.00")
    second.refresh_from_db()
    assert second.status == Coupon.Status.ISSUED


def test_a_used_coupon_is_refused_with_where_it_was_used(issue, store, clerk):
    coupon = issue()
    redeem(store, clerk, coupon.serial, receipt_no="R0002", when=at(datetime.date.today(), 11))
    with pytest.raises(
        Conflict, match=r"已于 .* 在门店 307 驷马桥店 使用（小票 R0002），不能重复使用"
    ):
        redeem(store, clerk, coupon.serial, receipt_no="R0005")


def test_an_unknown_serial_is_refused(stocked, store, clerk):
    with pytest.raises(ServiceError, match="找不到券号 123456789012，请核对券面上的券号"):
        redeem(store, clerk, "123456789012")


def test_a_coupon_is_good_on_its_last_valid_day_and_refused_the_day_after(issue, store, clerk):
    issued_on = datetime.date(2026, 1, 31)
    first = issue(receipt_no="R0001", when=at(issued_on))
    second = issue(receipt_no="R0003", when=at(issued_on))
    assert first.valid_until == datetime.date(2026, 7, 30)

    ok = redeem(store, clerk, first.serial, receipt_no="R0010", when=at(first.valid_until, 20))
    assert ok.status == Coupon.Status.REDEEMED
    with pytest.raises(ServiceError, match=rf"券号 {second.serial} 已过期（有效期至 2026-07-30）"):
        redeem(store, clerk, second.serial, receipt_no="R0011", when=at(datetime.date(2026, 7, 31)))


def test_a_full_value_coupon_is_redeemed_only_in_the_issuing_store(
    issue, store, other_store, clerk, other_clerk, full_value, conditional
):
    full = issue(receipt_no="R0001", coupon_type=full_value)
    with pytest.raises(ServiceError, match="是全额抵扣券，只能在发券门店 307 驷马桥店 使用"):
        redeem(other_store, other_clerk, full.serial, receipt_no="R0100", amount="30.00")
    with pytest.raises(
        ServiceError, match=r"正价商品金额 ¥4\.99 不足券面 ¥5\.00，本券不找零、不折现"
    ):
        redeem(store, clerk, full.serial, receipt_no="R0101", amount="4.99")
    assert redeem(store, clerk, full.serial, receipt_no="R0102", amount="5.00").status == "redeemed"

    # A conditional coupon is good in every store of the chain; it comes back to that one.
    conditional_coupon = issue(receipt_no="R0002", coupon_type=conditional)
    redeem(other_store, other_clerk, conditional_coupon.serial, receipt_no="R0103", amount="70")
    back = CouponEntry.objects.get(coupon=conditional_coupon, kind=CouponEntry.Kind.REDEEMED)
    assert back.store == other_store


def test_the_nightly_expiry_marks_expired_coupons_and_the_ledger_shows_them(
    issue, store, conditional
):
    old = issue(receipt_no="R0001", when=at(datetime.date(2026, 1, 10)))
    fresh = issue(receipt_no="R0002", when=at(datetime.date(2026, 2, 10)))

    assert coupons_expire(today=datetime.date(2026, 7, 10)) == 1
    assert coupons_expire(today=datetime.date(2026, 7, 10)) == 0

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (Coupon.Status.EXPIRED, Coupon.Status.ISSUED)
    row = CouponEntry.objects.get(coupon=old, kind=CouponEntry.Kind.EXPIRED)
    assert (row.store, row.quantity, row.face_value) == (store, 0, Decimal("10.00"))
    # It had left the store's stock when it was issued.
    assert coupon_stock(store, conditional) == 18


def test_a_wrong_receipt_of_stock_is_reversed_not_edited(
    stocked, store, manager, conditional, issue
):
    wrong = coupon_stock_receive(
        store=store, coupon_type=conditional, quantity=50, signer="张会计", user=manager.user
    )
    reversal = coupon_entry_reverse(entry=wrong, reason="多登记了一包", user=manager.user)

    assert reversal.quantity == -50
    assert CouponEntry.objects.filter(pk=wrong.pk, quantity=50).exists()
    assert coupon_stock(store, conditional) == 20
    with pytest.raises(Conflict, match="这条记录已经冲正过了"):
        coupon_entry_reverse(entry=wrong, reason="再来一次", user=manager.user)
    issued = CouponEntry.objects.get(coupon=issue(), kind=CouponEntry.Kind.ISSUED)
    with pytest.raises(ServiceError, match="只有领用入库记录可以冲正"):
        coupon_entry_reverse(entry=issued, reason="发错了", user=manager.user)
