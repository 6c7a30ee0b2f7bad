import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from common.dates import local_today
from common.errors import NotFound, PermissionDenied, ServiceError
from presale.daily import (
    penalties_visible,
    penalty_check,
    penalty_exempt,
    penalty_upload_evidence,
    reported_amounts_save,
    store_days,
)
from stores.access import Level, scope_of


def _campaign() -> Campaign:
    campaign = Campaign.objects.filter(active=True).order_by("-presale_start").first()
    if campaign is None:
        raise NotFound("现在没有进行中的活动。")
    return campaign


def _day(request: HttpRequest, campaign: Campaign) -> datetime.date:
    """The day asked for, else today inside the presale window, else its last day."""
    try:
        return datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        today = local_today()
        return min(max(today, campaign.presale_start), campaign.presale_end)


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    """Each store's presale of a day, zero stores flagged, the lead's reported amounts and
    the differences, and the penalties of the zero stores of the day before."""
    scope = scope_of(request.user)
    if scope.level is Level.NONE:
        raise PermissionDenied("您的账号还没有岗位。")
    campaign = _campaign()
    day = _day(request, campaign)
    rows = store_days(request.user, campaign, day)
    penalties = penalties_visible(request.user).filter(
        campaign=campaign, zero_day=day - datetime.timedelta(days=1)
    )
    context = {
        "campaign": campaign,
        "day": day,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "rows": rows,
        "zero_rows": [row for row in rows if row.zero],
        "penalties": penalties.order_by("store__store_id", "staff__staff_no"),
        "may_report": scope.level is Level.REGION,
        "total": sum((row.amount for row in rows), Decimal("0.00")),
    }
    return render(request, "presale/daily.html", context)


@login_required
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    campaign = _campaign()
    day = _day(request, campaign)
    amounts, errors = {}, []
    for key, value in request.POST.items():
        if not key.startswith("store-") or not value.strip():
            continue
        try:
            amounts[int(key.removeprefix("store-"))] = Decimal(value.strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            errors.append(value)
    if errors:
        messages.error(request, f"金额格式不对：{'、'.join(errors)}；没有保存任何金额。")
    else:
        try:
            count = reported_amounts_save(
                campaign=campaign, day=day, amounts=amounts, user=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已上报 {count} 家门店 {day:%m月%d日} 的预售金额。")
    return redirect(f"{reverse('presale-daily')}?day={day.isoformat()}")


def _penalty(request: HttpRequest, penalty_pk: int):
    penalty = penalties_visible(request.user).filter(pk=penalty_pk).first()
    if penalty is None:
        raise NotFound("找不到该处罚记录。")
    return penalty


@login_required
@require_POST
def check(request: HttpRequest, penalty_pk: int) -> HttpResponse:
    penalty = _penalty(request, penalty_pk)
    try:
        penalty_check(penalty=penalty, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已检查 {penalty.staff.name}。")
    day = penalty.zero_day + datetime.timedelta(days=1)
    return redirect(f"{reverse('presale-daily')}?day={day.isoformat()}")


@login_required
def my_penalties(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.level is not Level.STORE:
        raise PermissionDenied("此页面只对门店员工开放。")
    penalties = penalties_visible(request.user).filter(staff=scope.staff).order_by("-zero_day")
    return render(request, "presale/my_penalties.html", {"penalties": penalties})


@login_required
@require_POST
def settle(request: HttpRequest, penalty_pk: int) -> HttpResponse:
    """Upload the evidence, or file an exemption with its reason."""
    penalty = _penalty(request, penalty_pk)
    try:
        if request.FILES.get("evidence"):
            penalty_upload_evidence(
                penalty=penalty, upload=request.FILES["evidence"], user=request.user
            )
            messages.success(request, "视频/照片已上传，等待片长检查。")
        else:
            penalty_exempt(
                penalty=penalty, reason=request.POST.get("reason", ""), user=request.user
            )
            messages.success(request, "免做申请已提交，等待片长检查。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("presale-my-penalties")
