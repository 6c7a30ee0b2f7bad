import datetime
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from common.importing import file_sha256, import_job_create
from common.jobs import job_dispatch
from common.models import ImportJob, Job
from members.models import SaleLine
from tests.factories import StoreFactory
from tests.helpers import wait_until

pytestmark = pytest.mark.celery_worker

ROWS = 100_000


def write_pos_lines(path, rows: int) -> Decimal:
    """A POS export of `rows` lines over two stores; returns the total amount."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(
        0,
        0,
        [
            "销售日期",
            "门店ID",
            "零售单号",
            "行号",
            "会员卡号",
            "商品编码",
            "商品名称",
            "品牌",
            "数量",
            "实收金额",
        ],
    )
    start = datetime.datetime(2022, 10, 25, 9, 0)
    total = Decimal(0)
    for index in range(rows):
        amount = Decimal(index % 500) + Decimal("0.98")
        total += amount
        sheet.write_datetime(index + 1, 0, start + datetime.timedelta(seconds=index), when)
        sheet.write_row(
            index + 1,
            1,
            [
                307 if index % 2 else 512,
                f"R{index // 3:07d}",
                index % 3 + 1,
                f"1000{index % 7000:06d}",
                "P1",
                "舒敏保湿特护霜",
                "薇诺娜",
                1,
                float(amount),
            ],
        )
    workbook.close()
    return total


def test_100k_pos_lines_import_in_the_worker(tmp_path, celery_worker_process):
    StoreFactory(store_id=307)
    StoreFactory(store_id=512)
    path = tmp_path / "零售明细.xlsx"
    expected_total = write_pos_lines(path, ROWS)
    job = import_job_create(
        file_name=path.name,
        sha256=file_sha256(path),
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
    )
    job_dispatch(job)

    finished = wait_until(
        lambda: ImportJob.objects.filter(
            pk=job.pk, status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]
        ).first(),
        timeout=240,
    )
    assert finished.status == Job.Status.SUCCEEDED, finished.message
    assert (finished.detected_kind, finished.rows, finished.created, finished.rejected) == (
        "pos-sales",
        ROWS,
        ROWS,
        0,
    )
    assert SaleLine.objects.count() == ROWS
    assert sum(SaleLine.objects.values_list("amount", flat=True)) == expected_total
    assert finished.lock_key is None
