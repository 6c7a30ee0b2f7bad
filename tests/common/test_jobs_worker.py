import io

import openpyxl
import pytest
from django.urls import reverse

from common.models import Job
from stores.models import Role
from tests.factories import StaffFactory, StoreFactory
from tests.helpers import wait_until

pytestmark = pytest.mark.celery_worker


def test_roster_export_runs_in_a_real_worker_and_lands_in_the_database(
    client, celery_worker_process
):
    store = StoreFactory(store_id=307, name="驷马桥店", public_phone="13900000307")
    StaffFactory(
        store=store, staff_no="S30701", name="徐梅", role=Role.STORE_MANAGER, phone="13812345678"
    )
    StaffFactory(store=store, staff_no="S30702", name="郭敏", phone="15812345678")
    operations = StaffFactory(role=Role.OPERATIONS, store=None, staff_no="YY001")
    client.force_login(operations.user)

    response = client.post(reverse("roster-export"))
    job = Job.objects.get()
    assert response.url == reverse("job-detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED

    job = wait_until(lambda: Job.objects.filter(pk=job.pk, status=Job.Status.SUCCEEDED).first())
    assert job.progress_done == job.progress_total == 3
    assert job.started_at <= job.finished_at

    download = client.get(reverse("job-download", args=[job.pk]))
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "片区",
        "门店ID",
        "门店名称",
        "公共手机号",
        "门店邮箱",
        "员工销售ID",
        "员工姓名",
        "岗位",
        "员工手机号",
    )
    by_staff_no = {row[5]: row for row in rows[1:]}
    assert by_staff_no["S30701"] == (
        store.region.name,
        307,
        "驷马桥店",
        "13900000307",
        store.mailbox,
        "S30701",
        "徐梅",
        "店长",
        "138****5678",
    )
    assert by_staff_no["YY001"][:5] == (None, None, None, None, None)
    assert by_staff_no["YY001"][7] == "营运部"
