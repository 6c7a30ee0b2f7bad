from django.db.models import QuerySet

from common.errors import NotFound
from common.models import Job


def jobs_of(user) -> QuerySet[Job]:
    """A job's progress and file belong to whoever started it."""
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(created_by=user)


def job_get(user, job_pk: int) -> Job:
    job = jobs_of(user).filter(pk=job_pk).first()
    if job is None:
        raise NotFound("找不到该后台任务。")
    return job
