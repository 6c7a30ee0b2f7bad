"""Coupon and gift pages: the till (store staff, on a phone), each store's coupon and gift
ledgers, and the finance reports 附表1–3. Another store's ledger answers 404."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from common.dates import local_today, months_before
from common.errors import NotFound, PermissionDenied, ServiceError
from common.money import format_yuan
from coupons.exports import REPORT_KINDS, report_file_name, report_workbook_bytes
from coupons.forms import (
    CouponIssueForm,
    CouponReceiveForm,
    CouponRedeemForm,
    CouponReverseForm,
    GiftHandoutForm,
    GiftReceiveForm,
    GiftTransferForm,
    PeriodForm,
    PointsRedemptionForm,
)
from coupons.models import CouponEntry, CouponMonthlyReport
from coupons.selectors import (
    campaigns_with_gifts,
    coupon_balances,
    coupon_entries,
    coupon_ledger_summary,
    coupon_types_active,
    gift_balances,
    gift_entries,
    may_keep_ledger,
    monthly_reports,
)
from coupons.services import (
    MONTHLY_REPORT_DAY,
    coupon_entry_reverse,
    coupon_issue,
    coupon_redeem,
    coupon_stock_receive,
    gift_hand_out,
    gift_stock_receive,
    gift_transfer,
    ledger_keeper_require,
    points_redeem,
)
from reports.report import XLSX_TYPE
from stores.access import Level, restrict, scope_of, store_get, stores_visible
from stores.models import Store
from stores.selectors import store_team

ENTRIES_PER_PAGE = 50
STORES_PER_PAGE = 50
REPORT_ROWS_PER_PAGE = 100


def _form_refused(form, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _period(request: HttpRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    """The period asked for, else since the last report day (the 28th) up to today."""
    today = local_today()
    since = today if today.day >= MONTHLY_REPORT_DAY else months_before(today, 1)
    default = {"start": since.replace(day=MONTHLY_REPORT_DAY), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


def _page_query(request: HttpRequest) -> str:
    """The query string without its page, for the pager's links to keep the period."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


@login_required
def coupon_home(request: HttpRequest) -> HttpResponse:
    """Store staff go to their store's ledger; others choose among the stores they see."""
    scope = scope_of(request.user)
    if scope.level is Level.STORE:
        return redirect("coupons:ledger", store_id=scope.staff.store.store_id)
    if scope.level is Level.NONE:
        raise PermissionDenied("抵扣券与赠品台账只对门店、片长、营运部和财务开放。")
    stores = stores_visible(request.user).filter(active=True).order_by("store_id")
    page = Paginator(stores, STORES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "coupons/store_choice.html", {"page": page, "page_query": _page_query(request)}
    )


@login_required
def till(request: HttpRequest) -> HttpResponse:
    """The cashier's page: issue a coupon for a receipt, or take one back (收券)."""
    scope = scope_of(request.user)
    if scope.level is not Level.STORE:
        raise PermissionDenied("收银台只对门店员工开放。")
    store = scope.staff.store
    coupon_types = coupon_types_active()
    issue_form = CouponIssueForm(coupon_types=coupon_types)
    redeem_form = CouponRedeemForm()
    action = request.POST.get("action")
    if request.method == "POST" and action == "issue":
        issue_form = CouponIssueForm(request.POST, coupon_types=coupon_types)
        if issue_form.is_valid():
            try:
                coupon = coupon_issue(store=store, **issue_form.cleaned_data, user=request.user)
            except ServiceError as error:
                _form_refused(issue_form, error)
            else:
                messages.success(
                    request,
                    f"已发放“{coupon.coupon_type.name}”，券号 {coupon.serial}，"
                    f"有效期至 {coupon.valid_until:%Y-%m-%d}。请把券号写在券面上交给顾客。",
                )
                return redirect("coupons:till")
    elif request.method == "POST" and action == "redeem":
        redeem_form = CouponRedeemForm(request.POST)
        if redeem_form.is_valid():
            data = redeem_form.cleaned_data
            try:
                coupon = coupon_redeem(
                    store=store,
                    serial=data["serial"],
                    receipt_no=data["receipt_no"],
                    receipt_amount=data["receipt_amount"],
                    special_amount=data["special_amount"] or 0,
                    user=request.user,
                )
            except ServiceError as error:
                _form_refused(redeem_form, error)
            else:
                messages.success(
                    request,
                    f"收券成功：券号 {coupon.serial} 在小票 {coupon.redeem_receipt_no} 抵扣 "
                    f"{format_yuan(coupon.coupon_type.face_value)}（不找零、不折现）。"
                    "请把券和电脑小票订在一起。",
                )
                return redirect("coupons:till")
    context = {
        "store": store,
        "issue_form": issue_form,
        "redeem_form": redeem_form,
        "balances": coupon_balances(store),
        "active_tab": "issue" if action == "issue" else "redeem",
    }
    return render(request, "coupons/till.html", context)


@login_required
def ledger(request: HttpRequest, store_id: int) -> HttpResponse:
    store = store_get(request.user, store_id)
    period_form, first, last = _period(request)
    may_keep = may_keep_ledger(request.user, store)
    receive_form = CouponReceiveForm()
    if request.method == "POST":
        ledger_keeper_require(request.user, store)
        receive_form = CouponReceiveForm(request.POST)
        if receive_form.is_valid():
            try:
                entry = coupon_stock_receive(
                    store=store, **receive_form.cleaned_data, user=request.user
                )
            except ServiceError as error:
                _form_refused(receive_form, error)
            else:
                messages.success(
                    request,
                    f"已登记领用“{entry.coupon_type.name}” {entry.quantity} 张，"
                    f"签收人 {entry.signer}。",
                )
                return redirect("coupons:ledger", store_id=store.store_id)
    entries = coupon_entries(request.user, store, first, last)
    context = {
        "store": store,
        "period_form": period_form,
        "first": first,
        "last": last,
        "summary": coupon_ledger_summary(store, first, last),
        "balances": coupon_balances(store),
        "entries": Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
        "may_keep": may_keep,
        "receive_form": receive_form,
        "reverse_form": CouponReverseForm(),
        "reversible": CouponEntry.Kind.RECEIVED,
        "monthly": monthly_reports(request.user, store)[:12],
        "report_kinds": REPORT_KINDS.values(),
        "is_till": scope_of(request.user).store_pk == store.pk,
        "page_query": _page_query(request),
    }
    return render(request, "coupons/ledger.html", context)


@login_required
@require_POST
def entry_reverse(request: HttpRequest, store_id: int, entry_pk: int) -> HttpResponse:
    store = store_get(request.user, store_id)
    entry = (
        restrict(request.user, CouponEntry.objects.filter(store=store), store_path="store")
        .filter(pk=entry_pk)
        .first()
    )
    if entry is None:
        raise NotFound("找不到该记录。")
    form = CouponReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明冲正原因。")
    else:
        try:
            coupon_entry_reverse(entry=entry, reason=form.cleaned_data["reason"], user=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已冲正：“{entry.coupon_type.name}” {entry.quantity} 张。")
    return redirect("coupons:ledger", store_id=store.store_id)


GIFT_ACTIONS = ("handout", "points", "receive", "transfer")


def _gift_forms(request: HttpRequest, store: Store, bound: str = "") -> dict:
    """The page's four forms; the one that was posted is bound to what was typed."""
    team = store_team(request.user, store)

    def data(action: str):
        return request.POST if action == bound else None

    return {
        "handout": GiftHandoutForm(data("handout"), campaigns=campaigns_with_gifts(), team=team),
        "points": PointsRedemptionForm(data("points"), team=team),
        "receive": GiftReceiveForm(data("receive")),
        "transfer": GiftTransferForm(data("transfer")),
    }


def _gift_action(request: HttpRequest, store: Store, action: str, form) -> str:
    """Carry out one gift form; returns the success message."""
    data = form.cleaned_data
    if action == "receive":
        entry = gift_stock_receive(store=store, **data, user=request.user)
        return f"已入库“{entry.gift.name}” {entry.quantity} 件。"
    if action == "transfer":
        to_store = Store.objects.filter(store_id=data["to_store_id"], active=True).first()
        if to_store is None:
            raise ServiceError(
                f"门店ID {data['to_store_id']} 不存在或已停业，请核对。", field="to_store_id"
            )
        transfer = gift_transfer(
            from_store=store,
            to_store=to_store,
            gift=data["gift"],
            quantity=data["quantity"],
            user=request.user,
        )
        return (
            f"已调出“{transfer.gift.name}” {transfer.quantity} 件到门店 "
            f"{to_store.store_id} {to_store.name}，对方已同时入库。"
        )
    if action == "handout":
        handout = gift_hand_out(store=store, **data, user=request.user)
        return f"小票 {handout.receipt_no} 已赠送“{handout.gift.name}”。"
    redemption = points_redeem(store=store, **data, user=request.user)
    return (
        f"会员 {redemption.member.card_no} 已用 {redemption.points_deducted} 积分"
        f"兑换“{redemption.gift.name}”。"
    )


@login_required
def gifts(request: HttpRequest, store_id: int) -> HttpResponse:
    store = store_get(request.user, store_id)
    period_form, first, last = _period(request)
    open_form = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _gift_forms(request, store, bound=open_form)
    if request.method == "POST":
        ledger_keeper_require(request.user, store)
        if open_form not in GIFT_ACTIONS:
            raise NotFound("找不到该操作。")
        form = forms[open_form]
        if form.is_valid():
            try:
                message = _gift_action(request, store, open_form, form)
            except ServiceError as error:
                _form_refused(form, error)
            else:
                messages.success(request, message)
                return redirect("coupons:gifts", store_id=store.store_id)
    context = {
        "store": store,
        "period_form": period_form,
        "first": first,
        "last": last,
        "balances": gift_balances(store),
        "entries": Paginator(
            gift_entries(request.user, store, first, last), ENTRIES_PER_PAGE
        ).get_page(request.GET.get("page")),
        "may_keep": may_keep_ledger(request.user, store),
        "forms": forms,
        "open_form": open_form,
        "report_kinds": REPORT_KINDS.values(),
        "page_query": _page_query(request),
    }
    return render(request, "coupons/gifts.html", context)


def _attachment(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def _cell(kind: str, value) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_yuan(value)
    if kind == "date":
        return f"{value:%Y-%m-%d}"
    return str(value)


@login_required
def report(request: HttpRequest, store_id: int, kind: str) -> HttpResponse:
    """附表1–3 for a store and period: the page, or the workbook with ?download=xlsx."""
    store = store_get(request.user, store_id)
    report_kind = REPORT_KINDS.get(kind)
    if report_kind is None:
        raise NotFound("找不到该报表。")
    period_form, first, last = _period(request)
    built = report_kind.build(store, first, last)
    if request.GET.get("download") == "xlsx":
        content = report_workbook_bytes(built, store, first, last)
        return _attachment(content, report_file_name(built, store, first, last))
    rows = [
        [
            (column.kind, _cell(column.kind, value))
            for column, value in zip(built.columns, row, strict=True)
        ]
        for row in built.rows
    ]
    page = Paginator(rows, REPORT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query["download"] = "xlsx"
    context = {
        "store": store,
        "report": built,
        "page": page,
        "period_form": period_form,
        "first": first,
        "last": last,
        "download_url": f"{reverse('coupons:report', args=[store.store_id, kind])}?"
        + query.urlencode(),
        "page_query": _page_query(request),
    }
    return render(request, "coupons/report.html", context)


@login_required
def monthly_download(request: HttpRequest, report_pk: int) -> HttpResponse:
    monthly = (
        restrict(request.user, CouponMonthlyReport.objects.all(), store_path="store")
        .filter(pk=report_pk)
        .first()
    )
    if monthly is None or not monthly.file:
        raise NotFound("找不到该月报。")
    with monthly.file.open("rb") as stored:
        content = stored.read()
    return _attachment(content, monthly.file.name.rsplit("/", 1)[-1])
