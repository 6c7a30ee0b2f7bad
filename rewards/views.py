"""Settlement pages: the versions of each campaign, one version's totals and lines with their
facts, a line's orders, what changed between versions. Finance computes, approves, discards
and downloads; operations read; region leads and store staff see their own lines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from campaigns.selectors import campaign_get
from common.errors import Conflict
from common.jobs import job_enqueue
from common.models import Job
from rewards.jobs import SETTLEMENT_RUN, SETTLEMENT_WORKBOOK
from rewards.models import SettlementLine
from rewards.rules import RULE_KINDS
from rewards.selectors import (
    line_get,
    line_orders,
    lines_filtered,
    run_get,
    runs_compare,
    runs_visible,
    totals_by_region,
    totals_by_store,
    totals_of,
)
from rewards.services import ONLY_FINANCE, settlement_approve, settlement_discard
from stores.access import Level, is_finance, scope_of

LINES_PER_PAGE = 50
STORES_PER_PAGE = 30


def _query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    runs = runs_visible(request.user).order_by("campaign__code", "-version")
    return render(
        request,
        "rewards/run_list.html",
        {
            "runs": runs,
            "campaigns": Campaign.objects.order_by("-presale_start"),
            "may_compute": is_finance(request.user),
            "recent_jobs": Job.objects.filter(kind=SETTLEMENT_RUN).order_by("-created_at")[:5],
        },
    )


@login_required
@require_POST
def run_compute(request: HttpRequest, code: str) -> HttpResponse:
    campaign = campaign_get(request.user, code)
    if not is_finance(request.user):
        messages.error(request, ONLY_FINANCE)
        return redirect("rewards:list")
    job = job_enqueue(kind=SETTLEMENT_RUN, params={"campaign": campaign.pk}, user=request.user)
    return redirect("job-detail", job_pk=job.pk)


@login_required
def run_detail(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = run_get(request.user, run_pk)
    kind = request.GET.get("kind", "")
    recipient_type = request.GET.get("recipient_type", "")
    recipient = request.GET.get("recipient", "").strip()
    lines = lines_filtered(
        request.user,
        run,
        kind=kind if kind in RULE_KINDS else "",
        recipient_type=recipient_type if recipient_type in SettlementLine.RecipientType else "",
        recipient=recipient,
    )
    chain = scope_of(request.user).level is Level.CHAIN
    stores = totals_by_store(request.user, run)
    context = {
        "run": run,
        "chain": chain,
        "may_approve": is_finance(request.user) and not run.locked,
        "may_download": chain,
        "totals": totals_of(lines),
        "regions": totals_by_region(request.user, run),
        "stores": Paginator(stores, STORES_PER_PAGE).get_page(request.GET.get("store_page")),
        "lines": Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page")),
        "kinds": [(key, rule.title) for key, rule in RULE_KINDS.items()],
        "recipient_types": SettlementLine.RecipientType.choices,
        "chosen": {"kind": kind, "recipient_type": recipient_type, "recipient": recipient},
        "page_query": _query_without(request, "page"),
        "store_page_query": _query_without(request, "store_page"),
        "previous": runs_visible(request.user)
        .filter(campaign=run.campaign, version__lt=run.version)
        .order_by("-version")
        .first(),
    }
    return render(request, "rewards/run_detail.html", context)


@login_required
@require_POST
def run_approve(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = run_get(request.user, run_pk)
    try:
        settlement_approve(run=run, user=request.user)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"第 {run.version} 版结算已审批并锁定。")
    return redirect("rewards:detail", run_pk=run.pk)


@login_required
@require_POST
def run_discard(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = run_get(request.user, run_pk)
    try:
        settlement_discard(run=run, user=request.user)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("rewards:detail", run_pk=run.pk)
    messages.success(request, f"已删除第 {run.version} 版结算草稿。")
    return redirect("rewards:list")


@login_required
@require_POST
def run_workbook(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = run_get(request.user, run_pk)
    if scope_of(request.user).level is not Level.CHAIN:
        messages.error(request, "结算表只供财务和营运部下载。")
        return redirect("rewards:detail", run_pk=run.pk)
    job = job_enqueue(kind=SETTLEMENT_WORKBOOK, params={"run": run.pk}, user=request.user)
    return redirect("job-detail", job_pk=job.pk)


@login_required
def line_detail(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = line_get(request.user, line_pk)
    rule = RULE_KINDS[line.kind]
    facts = [(header, line.facts.get(key, "")) for key, header, _ in rule.fact_columns]
    orders = Paginator(line_orders(request.user, line), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "rewards/line_detail.html",
        {"line": line, "rule": rule, "facts": facts, "orders": orders},
    )


@login_required
def run_compare(request: HttpRequest, run_pk: int, other_pk: int) -> HttpResponse:
    """What changed from an earlier version to this one: for operations and finance, whose
    view of a version is the whole of it."""
    run, earlier = run_get(request.user, run_pk), run_get(request.user, other_pk)
    if scope_of(request.user).level is not Level.CHAIN:
        messages.error(request, "版本对比只供财务和营运部查看。")
        return redirect("rewards:detail", run_pk=run.pk)
    if earlier.campaign_id != run.campaign_id:
        messages.error(request, "只能对比同一活动的两个版本。")
        return redirect("rewards:detail", run_pk=run.pk)
    changes = runs_compare(earlier, run)
    return render(
        request,
        "rewards/run_compare.html",
        {
            "run": run,
            "earlier": earlier,
            "changes": changes,
            "detail_url": reverse("rewards:detail", args=[run.pk]),
        },
    )
