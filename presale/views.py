"""营运部: presale orders that belong to no store, and binding a distributor's phone to a store
as its public phone so that those orders move to it (rules.md §4)."""

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, QuerySet, Sum
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from campaigns.selectors import campaign_get, campaigns_visible
from common.dates import local_today
from common.errors import NotFound, PermissionDenied, ServiceError
from common.jobs import job_enqueue
from common.money import to_money
from common.phones import normalize_phone
from common.selectors import jobs_of
from presale.daily import (
    penalties_visible,
    penalty_check,
    penalty_exempt,
    penalty_upload_evidence,
    reported_amounts_save,
    store_days,
)
from presale.jobs import BOOKING_SHEETS
from presale.models import YouzanOrder
from presale.selectors import (
    booking_days,
    booking_reconciliation,
    may_view_booking,
    order_get,
    order_item_names,
    staff_for_registration,
    store_orders,
)
from presale.services import order_register, store_bind_public_phone
from stores.access import Level, is_operations, restrict, scope_of
from stores.models import Role, Staff
from stores.selectors import store_team

UNATTRIBUTED_ORDERS_PER_PAGE = 50
DISTRIBUTORS_PER_PAGE = 30
# The filter value for orders the salesman export has not (yet) named a distributor for.
NO_DISTRIBUTOR = "none"


class PublicPhoneBindForm(forms.Form):
    phone = forms.CharField(
        label="分销员手机号",
        max_length=20,
        error_messages={"required": "请填写分销员手机号。"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    store_id = forms.IntegerField(
        label="门店ID",
        min_value=1,
        error_messages={
            "required": "请填写门店ID。",
            "invalid": "门店ID 是数字，例如 307。",
            "min_value": "门店ID 是正整数，例如 307。",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _require_operations(request: HttpRequest) -> None:
    if not is_operations(request.user):
        raise PermissionDenied("只有营运部可以处理未归属订单。")


def _unattributed_orders(user) -> QuerySet[YouzanOrder]:
    orders = restrict(user, YouzanOrder.objects.filter(store__isnull=True), store_path="store")
    return orders.order_by(F("paid_at").desc(nulls_last=True), "-pk")


def _by_distributor(orders: QuerySet[YouzanOrder]) -> QuerySet:
    return (
        orders.order_by()
        .values("distributor_phone")
        .annotate(order_count=Count("pk"), net_total=Sum("net_amount"), last_paid_at=Max("paid_at"))
        .order_by("-order_count", "distributor_phone")
    )


@login_required
def unattributed_orders(request: HttpRequest) -> HttpResponse:
    _require_operations(request)
    chosen = request.GET.get("distributor", "").strip()
    chosen_phone = "" if chosen == NO_DISTRIBUTOR else normalize_phone(chosen)
    if request.method == "POST":
        form = PublicPhoneBindForm(request.POST)
        if form.is_valid():
            try:
                store = store_bind_public_phone(**form.cleaned_data, user=request.user)
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                moved = store.presale_orders.filter(distributor_phone=store.public_phone).count()
                messages.success(
                    request,
                    f"已把 {store.public_phone} 绑定为门店 {store.store_id} {store.name} "
                    f"的公共手机，该手机号分销的 {moved} 个订单已归入该店。",
                )
                return redirect("presale:unattributed")
    else:
        form = PublicPhoneBindForm(initial={"phone": chosen_phone})

    orders = _unattributed_orders(request.user)
    totals = orders.aggregate(order_count=Count("pk"), net_total=Sum("net_amount"))
    listed = orders.filter(distributor_phone=chosen_phone) if chosen else orders
    context = {
        "form": form,
        "totals": totals,
        "chosen": chosen,
        "chosen_phone": chosen_phone,
        "no_distributor": NO_DISTRIBUTOR,
        "distributors": Paginator(_by_distributor(orders), DISTRIBUTORS_PER_PAGE).get_page(
            request.GET.get("distributors_page")
        ),
        "orders": Paginator(listed, UNATTRIBUTED_ORDERS_PER_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, "presale/unattributed.html", context)


ORDERS_PER_PAGE = 20
SHOW_UNREGISTERED = "unregistered"


def _acting_store_staff(request: HttpRequest) -> Staff:
    scope = scope_of(request.user)
    if scope.level is not Level.STORE:
        raise PermissionDenied("预售订单登记页面只对门店员工开放。")
    return scope.staff


def _card(
    order: YouzanOrder,
    acting: Staff,
    team: list[Staff],
    *,
    chosen_staff_no: str | None = None,
    saved: bool = False,
    error: str = "",
) -> dict:
    if chosen_staff_no is None:
        chosen_staff_no = (order.registered_staff or acting).staff_no
    return {
        "order": order,
        "items": order_item_names(order),
        "team": team,
        "chosen_staff_no": chosen_staff_no,
        "may_change": order.registered_staff_id is None or acting.role == Role.STORE_MANAGER,
        "saved": saved,
        "error": error,
    }


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    acting = _acting_store_staff(request)
    store = acting.store
    unregistered_only = request.GET.get("show") == SHOW_UNREGISTERED
    orders = store_orders(request.user, store, unregistered_only=unregistered_only)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    team = list(store_team(request.user, store))
    context = {
        "store": store,
        "page": page,
        "cards": [_card(order, acting, team) for order in page],
        "unregistered_only": unregistered_only,
        "show_unregistered": SHOW_UNREGISTERED,
        "unregistered_count": store_orders(request.user, store, unregistered_only=True).count(),
    }
    return render(request, "presale/orders.html", context)


@login_required
@require_POST
def order_register_view(request: HttpRequest, order_pk: int) -> HttpResponse:
    """With htmx, answers the order's card (saved, or the refusal with the choice kept);
    without it, a message and back to the list."""
    acting = _acting_store_staff(request)
    order = order_get(request.user, order_pk)
    chosen_staff_no = request.POST.get("staff_no", "")
    try:
        staff = staff_for_registration(request.user, chosen_staff_no)
        order_register(order=order, staff=staff, user=request.user)
    except ServiceError as error:
        if not request.htmx:
            messages.error(request, f"订单 {order.order_no}：{error.message}")
            return redirect("presale_orders:list")
        team = list(store_team(request.user, acting.store))
        card = _card(order, acting, team, chosen_staff_no=chosen_staff_no, error=error.message)
        return _card_response(request, card)
    order = order_get(request.user, order_pk)
    if not request.htmx:
        messages.success(request, f"订单 {order.order_no} 已登记给{order.registered_staff.name}。")
        return redirect("presale_orders:list")
    team = list(store_team(request.user, acting.store))
    return _card_response(request, _card(order, acting, team, saved=True))


def _card_response(request: HttpRequest, card: dict) -> HttpResponse:
    """The order's card, with the page's unregistered count swapped out of band."""
    store = card["order"].store
    unregistered = store_orders(request.user, store, unregistered_only=True).count()
    return render(
        request, "presale/_order_card.html", {"card": card, "oob_unregistered_count": unregistered}
    )


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


STORES_PER_PAGE = 50


def _viewable_campaign(request: HttpRequest, code: str) -> Campaign:
    if not may_view_booking(request.user):
        raise PermissionDenied("只有营运部和片长可以查看下账。")
    return campaign_get(request.user, code)


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    if not may_view_booking(request.user):
        raise PermissionDenied("只有营运部和片长可以查看下账。")
    campaigns = campaigns_visible(request.user).order_by("-presale_start", "code")
    return render(request, "presale/booking_list.html", {"campaigns": campaigns})


@login_required
def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _viewable_campaign(request, code)
    may_generate = is_operations(request.user)
    recent_jobs = (
        jobs_of(request.user)
        .filter(kind=BOOKING_SHEETS, params__campaign=campaign.pk)
        .order_by("-created_at")[:5]
        if may_generate
        else []
    )
    return render(
        request,
        "presale/booking_detail.html",
        {
            "campaign": campaign,
            "may_generate": may_generate,
            "recent_jobs": recent_jobs,
            "booking_days": booking_days(campaign),
        },
    )


@login_required
@require_POST
def booking_sheets_generate(request: HttpRequest, code: str) -> HttpResponse:
    if not is_operations(request.user):
        raise PermissionDenied("只有营运部可以生成并发送下账表。")
    campaign = campaign_get(request.user, code)
    job = job_enqueue(kind=BOOKING_SHEETS, params={"campaign": campaign.pk}, user=request.user)
    return redirect("job-detail", job_pk=job.pk)


@login_required
def booking_reconciliation_page(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _viewable_campaign(request, code)
    context = {"campaign": campaign, "booking_days": booking_days(campaign)}
    try:
        rows = booking_reconciliation(request.user, campaign)
    except ServiceError as error:
        return render(request, "presale/booking_reconciliation.html", {**context, "error": error})
    totals = {
        "exported": to_money(sum((row.exported for row in rows), 0)),
        "booked": to_money(sum((row.booked for row in rows), 0)),
        "gap": to_money(sum((row.gap for row in rows), 0)),
        "stores_with_differences": sum(1 for row in rows if row.differences),
    }
    page = Paginator(rows, STORES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "presale/booking_reconciliation.html",
        {**context, "page": page, "totals": totals},
    )


@login_required
def penalty_evidence(request: HttpRequest, penalty_pk: int) -> FileResponse:
    """Evidence is personal: it is served only through the access functions, never as a
    public media URL."""
    penalty = _penalty(request, penalty_pk)
    if not penalty.evidence:
        raise NotFound("该处罚没有上传视频或照片。")
    return FileResponse(penalty.evidence.open("rb"), filename=Path(penalty.evidence.name).name)
