import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.importing import file_sha256, import_job_create
from common.jobs import job_dispatch
from common.models import ImportJob, Job
from members.models import SaleLine
from tests.factories import StoreFactory
from tests.helpers import wait_until
from tests.sheetfiles import POS_HEADERS, pos_rows, write_xlsx

pytestmark = pytest.mark.celery_worker

ROWS = 100_000


def test_100k_pos_lines_import_in_the_worker(tmp_path, celery_worker_process):
    StoreFactory(store_id=307)
    StoreFactory(store_id=512)
    lines = pos_rows(ROWS)
    path = write_xlsx(tmp_path / "零售明细.xlsx", [POS_HEADERS, *lines])
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
    assert sum(SaleLine.objects.values_list("amount", flat=True)) == sum(line[-1] for line in lines)
    assert finished.lock_key is None
