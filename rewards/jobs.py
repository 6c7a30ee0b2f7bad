"""Settlement work in the Celery worker: computing a version, and writing its workbook with
progress (a chain-wide settlement has millions of lines)."""

import tempfile
from pathlib import Path

from campaigns.models import Campaign
from common.errors import NotFound
from common.jobs import JobOutcome, Progress, job_handler
from common.models import Job
from rewards.exports import settlement_file_name, settlement_workbook_write
from rewards.models import SettlementRun
from rewards.services import settlement_run

SETTLEMENT_RUN = "rewards.settlement_run"
SETTLEMENT_WORKBOOK = "rewards.settlement_workbook"


@job_handler(SETTLEMENT_RUN)
def settlement_run_job(job: Job, progress: Progress) -> JobOutcome:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise NotFound("找不到该活动，无法结算。")
    run = settlement_run(campaign=campaign, user=job.created_by)
    return JobOutcome(
        result={
            "message": (
                f"已计算第 {run.version} 版结算：{run.line_count} 行，"
                f"应付 ¥{run.pay_total:,.2f}，应收 ¥{run.owe_total:,.2f}。"
            ),
            "run": run.pk,
            "version": run.version,
        }
    )


@job_handler(SETTLEMENT_WORKBOOK)
def settlement_workbook_job(job: Job, progress: Progress) -> JobOutcome:
    run = (
        SettlementRun.objects.select_related("campaign", "approved_by")
        .filter(pk=job.params.get("run"))
        .first()
    )
    if run is None:
        raise NotFound("找不到该结算版本。")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settlement.xlsx"
        settlement_workbook_write(run, path, progress)
        return JobOutcome(
            result={"message": f"第 {run.version} 版结算表已生成，共 {run.line_count} 行明细。"},
            file_name=settlement_file_name(run),
            file_content=path.read_bytes(),
        )
