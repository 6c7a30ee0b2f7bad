from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from common.errors import NotFound
from common.selectors import job_get


@login_required
def job_detail(request: HttpRequest, job_pk: int) -> HttpResponse:
    """The job's page; htmx polls the progress fragment until the job finishes."""
    job = job_get(request.user, job_pk)
    template = "common/job_progress.html" if request.htmx else "common/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request: HttpRequest, job_pk: int) -> FileResponse:
    job = job_get(request.user, job_pk)
    if not job.output:
        raise NotFound("该任务没有可下载的文件。")
    return FileResponse(
        job.output.open("rb"),
        as_attachment=True,
        filename=job.result.get("file_name") or job.output.name.rsplit("/", 1)[-1],
    )
