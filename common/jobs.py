"""Background jobs as rows: a service enqueues, the Celery worker runs the kind's handler.

Each app registers its handlers in its own ``jobs.py`` (autodiscovered when Django starts),
so a page or a command only ever says which kind to run with which parameters.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from common.errors import ServiceError
from common.models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobOutcome:
    """What a handler hands back. `failure` marks a job that ran to the end but whose work
    was refused (an import with bad rows): it fails with that message, keeping its file."""

    result: dict
    file_name: str = ""
    file_content: bytes = b""
    failure: str = ""


Handler = Callable[[Job, Progress], JobOutcome]
_handlers: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _handlers[kind] = handler
        return handler

    return register


def job_enqueue(*, kind: str, params: dict | None = None, user=None) -> Job:
    """Create the job row and hand it to the worker once the row is committed."""
    if kind not in _handlers:
        raise ServiceError(f"未知的后台任务类型：{kind}")
    job = Job.objects.create(kind=kind, params=params or {}, created_by=user)
    job_dispatch(job)
    return job


def job_dispatch(job: Job) -> None:
    """Hand a queued job row to the worker once the row is committed."""
    from common.tasks import run_job

    transaction.on_commit(lambda: run_job.delay(job.pk))


def _progress_reporter(job: Job) -> Progress:
    """Writes progress at most every 2% so a large job does not write a row per item."""
    last_written = {"percent": -1}

    def report(done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if percent - last_written["percent"] < 2 and done != total:
            return
        last_written["percent"] = percent
        Job.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    return report


def job_claim(job_id: int) -> bool:
    """Mark a queued job as running; False when another process already took it."""
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=timezone.now()
        )
    )


def job_progress(job: Job) -> Progress:
    return _progress_reporter(job)


def job_run(job_id: int) -> Job:
    """Run a queued job in this process; a job that is not queued any more is left alone."""
    claimed = job_claim(job_id)
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        outcome = _handlers[job.kind](job, _progress_reporter(job))
    except ServiceError as error:
        return _finish(job, Job.Status.FAILED, message=error.message)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(job, Job.Status.FAILED, message="后台任务出错，已记录日志，请联系管理员。")
    return job_complete(job, outcome)


def job_complete(job: Job, outcome: JobOutcome) -> Job:
    """Record what a handler handed back: its result, its file, and whether it failed."""
    if outcome.file_name:
        job.output.save(outcome.file_name, ContentFile(outcome.file_content), save=False)
    if outcome.failure:
        return _finish(job, Job.Status.FAILED, message=outcome.failure, result=outcome.result)
    return _finish(
        job, Job.Status.SUCCEEDED, message=outcome.result.get("message", ""), result=outcome.result
    )


def _finish(job: Job, status: str, *, message: str = "", result: dict | None = None) -> Job:
    job.refresh_from_db(fields=["progress_done", "progress_total"])
    job.status = status
    job.message = message
    job.result = result or {}
    job.finished_at = timezone.now()
    if status == Job.Status.SUCCEEDED:
        job.progress_done = job.progress_total = max(job.progress_total, 1)
    job.save()
    return job


def jobs_fail_stale(*, older_than: timedelta = timedelta(hours=2)) -> int:
    """A job whose worker died mid-run would stay 'running' forever; close it with a reason."""
    return Job.objects.filter(
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        created_at__lt=timezone.now() - older_than,
    ).update(
        status=Job.Status.FAILED,
        message="后台任务超时未完成（后台进程可能已重启），请重新发起。",
        finished_at=timezone.now(),
    )
