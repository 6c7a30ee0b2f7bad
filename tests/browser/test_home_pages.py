import pytest

from stores.models import Role
from tests.factories import PASSWORD, RegionFactory, StaffFactory, StoreFactory, region_lead_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("员工销售ID").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_store_staff_home_fits_a_phone_without_sideways_scrolling(
    live_server, phone_page, screenshot
):
    store = StoreFactory(
        store_id=307, name="康宁大药房(驷马桥店)", region=RegionFactory(name="北门片")
    )
    StaffFactory(store=store, staff_no="S30701", name="徐梅", role=Role.STORE_MANAGER)
    StaffFactory(store=store, staff_no="S30702", name="郭敏娟")
    log_in(phone_page, live_server, "S30702")

    assert phone_page.get_by_text("康宁大药房(驷马桥店)").first.is_visible()
    assert phone_page.get_by_text("郭敏娟（我）").is_visible()
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    logout = phone_page.get_by_role("button", name="退出").bounding_box()
    assert logout["height"] >= 44
    screenshot(phone_page, "store-home-375")


def test_wrong_password_keeps_the_login_and_says_why(live_server, phone_page, screenshot):
    StaffFactory(staff_no="S30702")
    phone_page.goto(f"{live_server.url}/login/")
    phone_page.get_by_label("员工销售ID").fill("S30702")
    phone_page.get_by_label("密码").fill("wrong")
    phone_page.get_by_role("button", name="登录").click()
    assert phone_page.get_by_text("请输入一个正确的").is_visible()
    assert phone_page.get_by_label("员工销售ID").input_value() == "S30702"
    screenshot(phone_page, "login-error-375")


def test_region_lead_home_lists_the_regions_stores(live_server, phone_page, screenshot):
    north = RegionFactory(name="北门片")
    StoreFactory(store_id=307, name="康宁大药房(驷马桥店)", region=north)
    StoreFactory(store_id=512, name="康宁大药房(青羊宫店)")
    lead = region_lead_of(north, staff_no="P01")
    log_in(phone_page, live_server, lead.staff_no)
    assert phone_page.get_by_role("link", name="康宁大药房(驷马桥店)").is_visible()
    assert phone_page.get_by_text("青羊宫店").count() == 0
    screenshot(phone_page, "region-home-375")
