import datetime

import pytest
from python_calamine import CalamineWorkbook

from reports.services import nightly_run
from stores.models import Region
from tests.browser.test_home_pages import log_in
from tests.factories import StoreFactory, region_lead_of
from tests.reports.test_nightly import FIRST, at, chain, order  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST = datetime.date(2022, 10, 29)


@pytest.fixture
def five_nights(chain):  # noqa: F811 - the fixture imported above
    north = Region.objects.get(name="北门片")
    s309 = StoreFactory(store_id=309, name="康宁大药房(驷马桥店)", region=north)
    for offset, amount in enumerate(["0", "2600.00", "0", "4200.00", "1800.00"]):
        day = FIRST + datetime.timedelta(days=offset)
        if amount != "0":
            order(s309, at(day, "14:00"), amount)
        nightly_run(campaign=chain, day=day)
    return chain


def test_region_lead_reads_the_leaderboard_and_exports_it(
    live_server, browser, screenshot, five_nights, tmp_path
):
    region_lead_of(Region.objects.get(name="北门片"), staff_no="L001", name="王片长")
    for width, height in ((375, 812), (1280, 800)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", device_scale_factor=2
        )
        page = context.new_page()
        log_in(page, live_server, "L001")
        page.get_by_role("link", name="排行榜").click()
        page.wait_for_load_state("networkidle")
        page.goto(page.url.split("?")[0] + f"?day={LAST:%Y-%m-%d}")

        chart = page.locator("#pace-chart svg")
        assert chart.is_visible()
        assert chart.bounding_box()["width"] <= width
        assert page.locator("#pace-chart rect.bar").count() == 5
        assert page.locator("#pace-chart polyline.pace").get_attribute("points").count(",") > 5
        store_rows = page.locator("#board-stores tbody tr")
        shown = [
            (row.get_attribute("data-store-id"), row.get_attribute("data-rank"))
            for row in store_rows.all()
        ]
        assert shown[0] == ("309", "1")
        assert "/ 目标 80%" in store_rows.first.inner_text()
        # The page must not scroll sideways: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"leaderboard-{width}")

        if width == 1280:
            with page.expect_download() as download_info:
                page.locator("#stores ~ .board-tools").first.get_by_role(
                    "link", name="导出 Excel"
                ).click()
            path = tmp_path / "stores.xlsx"
            download_info.value.save_as(path)
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[2:]
            assert [(str(int(row[1])), str(int(row[0]))) for row in rows] == shown
        context.close()
