from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.dates import local_today
from common.errors import PermissionDenied
from common.jobs import job_enqueue
from stores.access import Level, may_manage_store, region_get, scope_of, store_get
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
