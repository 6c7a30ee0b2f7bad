import hashlib
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.dates import local_today
from common.errors import NotFound, PermissionDenied, ServiceError
from common.importing import import_job_create
from common.jobs import job_dispatch, job_enqueue
from common.models import ImportJob
from stores.access import Level, is_operations, may_manage_store, region_get, scope_of, store_get
from stores.forms import ImportForm
from stores.jobs import ROSTER_EXPORT
from stores.selectors import regions_with_counts, store_team, stores_with_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    context = {"today": local_today(), "scope": scope}
    if scope.level is Level.CHAIN:
        return render(
            request,
            "stores/home_chain.html",
            {**context, "regions": regions_with_counts(request.user)},
        )
    if scope.level is Level.REGION:
        return render(
            request,
            "stores/home_region.html",
            {
                **context,
                "regions": regions_with_counts(request.user),
                "stores": stores_with_counts(request.user),
            },
        )
    if scope.level is Level.STORE:
        store = scope.staff.store
        return render(
            request,
            "stores/home_store.html",
            {**context, "store": store, "team": store_team(request.user, store)},
        )
    return render(request, "stores/home_no_role.html", context)


@login_required
def region_detail(request: HttpRequest, region_pk: int) -> HttpResponse:
    region = region_get(request.user, region_pk)
    return render(
        request,
        "stores/region_detail.html",
        {"region": region, "stores": stores_with_counts(request.user, region=region)},
    )


@login_required
def store_detail(request: HttpRequest, store_id: int) -> HttpResponse:
    store = store_get(request.user, store_id)
    return render(
        request,
        "stores/store_detail.html",
        {
            "store": store,
            "team": store_team(request.user, store),
            "may_manage": may_manage_store(request.user, store),
        },
    )


@login_required
@require_POST
def roster_export(request: HttpRequest) -> HttpResponse:
    if scope_of(request.user).level is Level.NONE:
        raise PermissionDenied("您的账号还没有岗位，不能导出名单。")
    job = job_enqueue(kind=ROSTER_EXPORT, user=request.user)
    return redirect("job-detail", job_pk=job.pk)


def _require_import_right(request: HttpRequest) -> None:
    if not is_operations(request.user):
        raise PermissionDenied("只有营运部可以导入表格。")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require_import_right(request)
    imports = ImportJob.objects.select_related("created_by__staff").order_by("-created_at")
    page = Paginator(imports, 30).get_page(request.GET.get("page"))
    return render(request, "stores/import_list.html", {"page": page})


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    _require_import_right(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        try:
            job = import_job_create(
                file_name=Path(upload.name).name,
                sha256=digest.hexdigest(),
                user=request.user,
                kind=form.cleaned_data["kind"],
                sheet_name=form.cleaned_data["sheet_name"].strip(),
                dry_run=form.cleaned_data["dry_run"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                options={
                    "list_name": form.cleaned_data["list_name"].strip() or Path(upload.name).stem
                },
                upload=upload,
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            job_dispatch(job)
            return redirect("import-detail", import_pk=job.pk)
    return render(request, "stores/import_new.html", {"form": form})


def _import_get(request: HttpRequest, import_pk: int) -> ImportJob:
    _require_import_right(request)
    job = ImportJob.objects.filter(pk=import_pk).first()
    if job is None:
        raise NotFound("找不到该导入记录。")
    return job


@login_required
def import_detail(request: HttpRequest, import_pk: int) -> HttpResponse:
    job = _import_get(request, import_pk)
    template = "stores/import_status.html" if request.htmx else "stores/import_detail.html"
    return render(request, template, {"job": job})


@login_required
def import_errors(request: HttpRequest, import_pk: int) -> FileResponse:
    job = _import_get(request, import_pk)
    if not job.output:
        raise NotFound("该导入没有错误报告。")
    file_name = job.result.get("file_name") or "错误行.xlsx"
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=file_name)
