from celery import shared_task

from common.jobs import job_run, jobs_fail_stale


@shared_task
def run_job(job_id: int) -> None:
    job_run(job_id)


@shared_task
def fail_stale_jobs() -> int:
    return jobs_fail_stale()
