import tempfile
from pathlib import Path

from common.dates import local_today
from common.jobs import JobOutcome, Progress, job_handler
from common.models import Job
from stores.exports import roster_write

ROSTER_EXPORT = "stores.roster_export"


@job_handler(ROSTER_EXPORT)
def roster_export(job: Job, progress: Progress) -> JobOutcome:
    file_name = f"门店与员工名单_{local_today():%Y%m%d}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.xlsx"
        roster_write(job.created_by, path, progress)
        return JobOutcome(
            result={"file_name": file_name}, file_name=file_name, file_content=path.read_bytes()
        )
