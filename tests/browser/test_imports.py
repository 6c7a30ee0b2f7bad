import openpyxl
import pytest
import xlsxwriter

from stores.models import Role
from tests.browser.test_home_pages import log_in
from tests.factories import StaffFactory, StoreFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

HEADER = ["销售日期", "门店ID", "零售单号", "商品编码", "商品名称", "品牌", "数量", "实收金额"]


def write_members_sheet(path, rows: int, bad_rows: set[int]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["会员卡号", "会员姓名", "手机号", "开卡门店ID"])
    for index in range(1, rows + 1):
        store_id = 999 if index in bad_rows else 307
        sheet.write_row(index, 0, [f"88{index:08d}", f"会员{index}", f"139{index:08d}", store_id])
    workbook.close()


def test_operations_uploads_watches_progress_and_downloads_the_error_report(
    live_server, browser, celery_worker_process, tmp_path, screenshot
):
    StoreFactory(store_id=307)
    StaffFactory(role=Role.OPERATIONS, store=None, staff_no="YY001")
    path = tmp_path / "会员资料.xlsx"
    write_members_sheet(path, rows=20_000, bad_rows={5, 17})
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    log_in(page, live_server, "YY001")

    page.get_by_role("link", name="导入表格").first.click()
    page.get_by_label("表格文件").set_input_files(str(path))
    page.get_by_label("跳过错误行").check()
    page.get_by_role("button", name="开始导入").click()

    progress = page.get_by_role("progressbar", name="导入进度")
    progress.wait_for()
    page.wait_for_function(
        "document.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100'",
        timeout=120_000,
    )
    page.get_by_text("新增 19998").wait_for(timeout=30_000)
    screenshot(page, "import-finished")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载错误报告").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    report = openpyxl.load_workbook(saved).active
    rows = list(report.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [(6, "开卡门店ID"), (18, "开卡门店ID")]
    assert "门店ID 999 不存在" in rows[0][2]
    page.close()


def test_a_clerk_gets_no_upload_page(live_server, browser):
    StaffFactory(store=StoreFactory(store_id=307), staff_no="S30702")
    page = browser.new_page()
    log_in(page, live_server, "S30702")
    assert page.get_by_role("link", name="导入表格").count() == 0
    response = page.goto(f"{live_server.url}/imports/new/")
    assert response.status == 403
    assert page.get_by_text("无权操作").is_visible()
    page.close()
