import pytest

from presale.models import YouzanOrder
from stores.models import Role
from tests.browser.test_home_pages import log_in
from tests.factories import StaffFactory, StoreFactory
from tests.presale.test_registration import YouzanOrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_registers_an_order_to_a_colleague_on_a_phone(live_server, phone_page, screenshot):
    store = StoreFactory(store_id=307, name="康宁大药房(驷马桥店)")
    StaffFactory(store=store, staff_no="S30701", name="徐梅", role=Role.STORE_MANAGER)
    StaffFactory(store=store, staff_no="S30702", name="郭敏娟")
    colleague = StaffFactory(store=store, staff_no="S30703", name="李娜")
    order = YouzanOrderFactory(
        store=store,
        order_no="E20221020123456789012345",
        items="薇诺娜舒敏保湿特护霜50g;薇诺娜清透防晒乳SPF48 PA+++ 50g",
        buyer_phone="13812345678",
    )
    YouzanOrderFactory(store=store, buyer_note="已取货", registered_staff=colleague)
    YouzanOrderFactory(store=store, items="薇诺娜柔润保湿霜50g")

    log_in(phone_page, live_server, "S30702")
    phone_page.get_by_role("link", name="去登记").click()
    phone_page.wait_for_load_state("networkidle")

    assert phone_page.locator("#unregistered-count").inner_text() == "2"
    card = phone_page.locator(f"#order-{order.pk}")
    assert "未登记" in card.inner_text() and "待取货或配送" in card.inner_text()
    assert "138****5678" in card.inner_text()
    assert "13812345678" not in phone_page.content()
    select = card.get_by_label("这一单是谁卖的")
    assert select.input_value() == "S30702"
    select.select_option("S30703")
    button = card.get_by_role("button", name="登记")
    assert button.bounding_box()["height"] >= 44
    assert select.bounding_box()["height"] >= 44
    button.click()
    saved = phone_page.get_by_text("✓ 已登记给李娜")
    saved.wait_for()

    card = phone_page.locator(f"#order-{order.pk}")
    assert "销售员工：李娜" in card.inner_text()
    assert "请找店长更正" in card.inner_text()
    assert phone_page.locator("#unregistered-count").inner_text() == "1"
    assert YouzanOrder.objects.get(pk=order.pk).registered_staff == colleague
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone_page, "presale-registration-375")


def test_another_stores_clerk_gets_404_for_the_order(live_server, phone_page):
    order = YouzanOrderFactory(store=StoreFactory(store_id=307))
    StaffFactory(store=StoreFactory(store_id=412), staff_no="S41202", name="别店店员")

    log_in(phone_page, live_server, "S41202")
    response = phone_page.goto(f"{live_server.url}/api/presale-orders/{order.order_no}/")
    assert response.status == 404
    phone_page.goto(f"{live_server.url}/presale/orders/")
    assert order.order_no not in phone_page.content()
    assert "本店还没有预售订单" in phone_page.content()
    status = phone_page.evaluate(
        """async (url) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)?.[1] ?? "";
            const response = await fetch(url, {
                method: "POST", headers: {"X-CSRFToken": token},
                body: new URLSearchParams({staff_no: "S41202"}),
            });
            return response.status;
        }""",
        f"{live_server.url}/presale/orders/{order.pk}/register/",
    )
    assert status == 404
