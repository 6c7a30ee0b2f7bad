from callbacks.services import callback_tasks_create
from campaigns.models import Campaign
from common.errors import ServiceError
from common.jobs import JobOutcome, Progress, job_handler
from common.models import Job

CREATE_TASKS = "callbacks.create_tasks"


@job_handler(CREATE_TASKS)
def create_tasks(job: Job, progress: Progress) -> JobOutcome:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise ServiceError("找不到该活动。")
    created = callback_tasks_create(campaign=campaign)
    total = campaign.callback_tasks.count()
    return JobOutcome(
        result={
            "created": created,
            "message": f"新建回访任务 {created} 条，活动共有 {total} 条（已有的任务保持不变）。",
        }
    )
