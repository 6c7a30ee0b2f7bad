"""The campaign dashboard in a browser (issue 9): 营运部 open it from their home page, the
three charts draw, the page does not scroll sideways on a phone, and the export downloads;
store staff see the best hours to call on their callback page."""

import datetime

import pytest
from python_calamine import CalamineWorkbook

from callbacks.models import Outcome
from common.dates import local_today
from tests.browser.test_home_pages import log_in
from tests.reports import assessment_fixtures
from tests.reports.assessment_fixtures import (
    at,
    call,
    gift_handout,
    member,
    presale_order,
    sale,
    settlement,
    settlement_line,
    task_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shop, promotion = assessment_fixtures.shop, assessment_fixtures.promotion
CALL_DAY = datetime.date(2022, 10, 20)


@pytest.fixture
def calls(promotion, shop):
    """Calls of stores 307 and 512 at 10:00, 15:00 and 19:00; 19:00 gets through most."""
    plan = [
        (307, "clerk_307", "10", 6, 2),
        (307, "clerk_307", "19", 6, 5),
        (512, "clerk_512", "15", 5, 3),
    ]
    number = 0
    for store_id, clerk, hour, total, reached in plan:
        store = shop["stores"][store_id]
        for index in range(total):
            number += 1
            person = member(store, f"1370000{number:04d}", f"87000{number:05d}")
            outcome = Outcome.REACHED if index < reached else Outcome.NO_ANSWER
            call(
                task_of(promotion, store, person),
                shop[clerk],
                at(CALL_DAY, f"{hour}:{index:02d}"),
                outcome=outcome,
            )
            if index % 2 == 0:
                sale(store, at(CALL_DAY + datetime.timedelta(days=5)), "268.00", member=person)
        presale_order(store, at(CALL_DAY, "21:00"), "1598.00", phone=f"1370000{number:04d}")
    for index in range(4):
        store = shop["stores"][307]
        task_of(promotion, store, member(store, f"1330000{index:04d}", f"83000{index:05d}"))
    return promotion


@pytest.fixture
def settled(calls, shop):
    """An approved settlement pays 李店员 of 307 30.00 and 北门片 200.00; 307 handed out a
    gift of 45.00."""
    run = settlement(calls, 1, approved_by=shop["operations"])
    settlement_line(
        run, "30.00", region=shop["north"], store=shop["stores"][307], staff=shop["clerk_307"]
    )
    settlement_line(run, "200.00", region=shop["north"])
    gift_handout(
        calls,
        shop["stores"][307],
        "45.00",
        handler=shop["clerk_307"],
        second_handler=shop["clerk_307b"],
    )
    return calls


def test_operations_read_the_dashboard_and_export_it(
    live_server, browser, screenshot, settled, tmp_path
):
    for width, height in ((375, 812), (1280, 900)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", device_scale_factor=2
        )
        page = context.new_page()
        log_in(page, live_server, "YY001")
        page.get_by_role("link", name="活动考核").click()
        page.wait_for_load_state("networkidle")
        page.goto(f"{page.url.split('?')[0]}?campaign=WINONA-2022-D11")

        for chart_id, bars in (("daily-chart", 15), ("region-chart", 4), ("hours-chart", 3)):
            chart = page.locator(f"#{chart_id} svg")
            assert chart.is_visible()
            assert chart.bounding_box()["width"] <= width
            assert page.locator(f"#{chart_id} rect.bar").count() == bars
        assert page.locator("#daily-chart line.reference").count() == 2
        assert page.locator("#best-hours").inner_text().startswith("最容易接通：19:00–20:00")
        assert "✓ 达标" in page.locator("#promotion-stores tr[data-store-id='307']").inner_text()
        s307 = page.locator("#promotion-stores tr[data-store-id='307']")
        assert s307.locator("td[data-cost='total']").inner_text() == "¥75.00"
        # 北门片: 307's 30.00 and 45.00 and the region's own 200.00.
        north = page.locator("#promotion-regions tr[data-region='北门片']")
        assert north.locator("td[data-cost='total']").inner_text() == "¥275.00"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"assessment-{width}")

        if width == 1280:
            with page.expect_download() as download_info:
                page.get_by_role("link", name="导出 Excel").click()
            path = tmp_path / "assessment.xlsx"
            download_info.value.save_as(path)
            book = CalamineWorkbook.from_path(str(path))
            stores = book.get_sheet_by_name("活动考核-门店").to_python()[3:]
            assert [int(row[0]) for row in stores] == [307, 308, 512]
        context.close()


def test_store_staff_see_the_best_hours_when_they_plan_their_calls(
    live_server, phone_page, screenshot, calls
):
    # The callback page shows the campaign whose callback window includes today.
    calls.callbacks_start = local_today() - datetime.timedelta(days=30)
    calls.callbacks_end = local_today() + datetime.timedelta(days=30)
    calls.save()
    log_in(phone_page, live_server, "S30702")
    phone_page.goto(f"{live_server.url}/callbacks/")
    hint = phone_page.locator("#best-hours-hint")
    hint.wait_for()
    assert "19:00–20:00（接通率 83.3%）" in hint.inner_text()
    assert "15:00" not in hint.inner_text()  # store 512's hours are not 307's
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone_page, "callbacks-best-hours-375")
