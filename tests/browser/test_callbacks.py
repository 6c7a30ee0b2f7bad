from decimal import Decimal

import pytest

from callbacks.models import CallbackTask
from common.models import AuditEntry
from tests.browser.test_home_pages import log_in
from tests.callbacks.factories import CallbackTaskFactory, CampaignFactory
from tests.factories import StaffFactory, StoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_works_the_callback_list_on_a_phone(live_server, browser, screenshot):
    campaign = CampaignFactory(name="薇诺娜双十一预售")
    store = StoreFactory(store_id=307, name="康宁大药房(驷马桥店)")
    clerk = StaffFactory(store=store, staff_no="S30702", name="郭敏娟")
    colleague = StaffFactory(store=store, staff_no="S30703", name="李娜")
    mine = CallbackTaskFactory(
        campaign=campaign,
        store=store,
        assigned_to=clerk,
        member__name="王秀英",
        phone="13812345678",
        spend_last_year=Decimal("1598.00"),
    )
    CallbackTaskFactory(
        campaign=campaign,
        store=store,
        assigned_to=clerk,
        member__name="陈丽",
        reached_hour=14,
        phone_attempts=1,
        last_outcome="no_answer",
    )
    CallbackTaskFactory(
        campaign=campaign, store=store, assigned_to=colleague, member__name="同事会员"
    )
    CallbackTaskFactory(campaign=campaign, store=store, member__name="待领会员")
    CallbackTaskFactory(campaign=campaign, store=StoreFactory(), member__name="别店会员")

    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    log_in(page, live_server, "S30702")
    page.get_by_role("link", name="去回访").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_text("王秀英").is_visible()
    assert page.get_by_text("上次约 14 点接通").is_visible()
    assert page.get_by_text("待领会员").is_visible()
    assert page.get_by_text("同事会员").count() == 0
    assert page.get_by_text("别店会员").count() == 0
    assert "13812345678" not in page.content()
    progress = page.locator("#callback-progress")
    assert "0/5 今日" in progress.inner_text()

    card = page.locator(f"#task-{mine.pk}")
    card.get_by_role("button", name="拨打").click()
    tel = card.locator('a[href="tel:13812345678"]')
    tel.wait_for()
    assert tel.bounding_box()["height"] >= 44
    assert AuditEntry.objects.filter(action="phone.reveal", user=clerk.user).count() == 1

    card.get_by_text("登记回访结果").click()
    card.get_by_text("未接通", exact=True).first.click()
    card.get_by_text("稍后再联系").click()
    card.get_by_role("button", name="保存").click()
    card.get_by_text("已保存：电话·未接通").wait_for()
    assert "已打电话 1/3 次" in card.inner_text()
    assert "0/5 今日" in progress.inner_text()

    card.get_by_text("登记回访结果").click()
    card.get_by_text("已接通", exact=True).click()
    card.get_by_role("textbox", name="备注").fill("已约周末到店")
    card.get_by_role("button", name="保存").click()
    card.get_by_text("已移出名单").wait_for()
    assert "1/5 今日" in progress.inner_text()
    assert "本店：已回访 1/4 位会员" in progress.inner_text()

    next_card = page.locator("article.task", has_text="陈丽")
    next_card.get_by_text("登记回访结果").click()
    next_card.get_by_text("价格").click()
    screenshot(page, "callbacks-375")

    mine.refresh_from_db()
    assert mine.status == CallbackTask.Status.DONE and mine.phone_attempts == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.reload()
    assert page.get_by_text("王秀英").count() == 0
    context.close()
