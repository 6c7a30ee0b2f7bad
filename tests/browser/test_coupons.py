from decimal import Decimal

import pytest

from coupons.models import Coupon
from coupons.services import coupon_issue, coupon_stock_receive
from tests.browser.test_home_pages import log_in
from tests.coupons.factories import ConditionalCouponTypeFactory
from tests.factories import StaffFactory, StoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cashier_redeems_a_coupon_on_a_phone(live_server, phone_page, screenshot):
    store = StoreFactory(store_id=307, name="康宁大药房(驷马桥店)")
    cashier = StaffFactory(store=store, staff_no="S30702", name="郭敏娟")
    coupon_type = ConditionalCouponTypeFactory()
    coupon_stock_receive(
        store=store, coupon_type=coupon_type, quantity=50, signer="徐梅", user=cashier.user
    )
    coupon = coupon_issue(
        store=store,
        coupon_type=coupon_type,
        receipt_no="0307202611010001",
        purchase_amount=Decimal("128.00"),
        user=cashier.user,
    )

    log_in(phone_page, live_server, "S30702")
    phone_page.get_by_role("link", name="去收银").click()
    phone_page.wait_for_load_state("networkidle")
    redeem = phone_page.locator("#redeem")
    redeem.get_by_label("券号").fill(coupon.serial)
    redeem.get_by_label("小票号").fill("0307202611030042")
    redeem.get_by_label("小票金额").fill("96.50")
    redeem.get_by_label("其中特价商品金额").fill("30.00")
    redeem.get_by_role("button", name="确认收券").click()
    phone_page.wait_for_load_state("networkidle")

    # 96.50 − 30.00 of special-price goods leaves 66.50: below 68, refused, input kept.
    assert "正价商品金额 ¥66.50 未满 ¥68.00" in redeem.inner_text()
    assert redeem.get_by_label("券号").input_value() == coupon.serial
    screenshot(phone_page, "coupons-till-refused-375")

    redeem.get_by_label("其中特价商品金额").fill("20.00")
    redeem.get_by_role("button", name="确认收券").click()
    phone_page.wait_for_load_state("networkidle")

    assert "收券成功" in phone_page.locator(".messages").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    button = phone_page.get_by_role("button", name="确认收券").bounding_box()
    assert button["height"] >= 44
    screenshot(phone_page, "coupons-till-redeemed-375")
    coupon.refresh_from_db()
    assert coupon.status == Coupon.Status.REDEEMED

    for name, link in (("ledger", "本店抵扣券台账"), ("gifts", "赠品台账")):
        phone_page.goto(f"{live_server.url}/coupons/till/")
        phone_page.get_by_role("link", name=link).click()
        phone_page.wait_for_load_state("networkidle")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, name
        screenshot(phone_page, f"coupons-{name}-375")
