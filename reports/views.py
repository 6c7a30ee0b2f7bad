"""Leaderboard pages (排行榜): 营运部 see regions, a 片长 their region's stores and staff,
store staff their own and their store's place. Every table sorts, paginates and exports
(?export=xlsx&table=…) the same rows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from callbacks.selectors import active_campaign
from campaigns.selectors import campaign_get
from common.errors import NotFound, PermissionDenied, ServiceError
from reports.exports import leaderboard_response
from reports.selectors import (
    SORT_LABELS,
    board_day,
    board_lines,
    campaign_window,
    latest_snapshot_day,
    leaderboard_region,
    my_standing,
    pace_chart,
    penalties_open,
    region_board,
    snapshot_generation,
    sort_key,
    staff_board,
    store_board,
    zero_stores_of_day,
)
from stores.access import Level, scope_of, store_get

ROWS_PER_PAGE = 30
BOARD_CACHE_SECONDS = 6 * 60 * 60
# The query parameters that change what the region's cached board shows.
BOARD_PARAMS = ("sort", "staff_sort", "page", "staff_page", "zero_page")
SHORT_LIST_PER_PAGE = 10


def _campaign_and_day(request: HttpRequest):
    code = request.GET.get("campaign")
    campaign = campaign_get(request.user, code) if code else active_campaign()
    if campaign is None:
        return None, None
    try:
        day = board_day(campaign, request.GET.get("day"))
    except ServiceError as error:
        messages.error(request, error.message)
        day = latest_snapshot_day(campaign)
    return campaign, day


def _base_context(campaign, day) -> dict:
    context = {"campaign": campaign, "day": day, "sort_labels": SORT_LABELS}
    if campaign is not None:
        context["first_day"], context["last_day"] = campaign_window(campaign)
    return context


def _url_with(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return f"?{query.urlencode()}"


def _page(request: HttpRequest, rows, param: str, per_page: int = ROWS_PER_PAGE):
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    page.previous_url = (
        _url_with(request, **{param: page.number - 1}) if page.has_previous() else ""
    )
    page.next_url = _url_with(request, **{param: page.number + 1}) if page.has_next() else ""
    return page


def _sorts(request: HttpRequest, param: str, current: str, *, with_zero: bool = True) -> list:
    reset = "staff_page" if param == "staff_sort" else "page"
    return [
        {
            "label": label,
            "url": _url_with(request, **{param: key, reset: None}),
            "current": key == current,
        }
        for key, label in SORT_LABELS.items()
        if with_zero or key != "zero"
    ]


def _export_url(request: HttpRequest, table: str) -> str:
    return _url_with(request, export="xlsx", table=table)


def _export_name(campaign, day, subject: str, table: str) -> str:
    label = {"regions": "片区", "stores": "门店", "zero": "挂0门店", "staff": "员工"}
    return f"排行榜_{campaign.code}_{subject}_{label.get(table, '挂0未处理')}_{day:%Y%m%d}.xlsx"


def _wants_export(request: HttpRequest) -> str | None:
    return request.GET.get("table", "") if request.GET.get("export") == "xlsx" else None


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """The entry: each role lands on the board that is theirs."""
    scope = scope_of(request.user)
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    if scope.level is Level.STORE:
        return redirect(reverse("reports:mine") + query)
    if scope.level is Level.REGION and len(scope.region_pks) == 1:
        (region_pk,) = scope.region_pks
        return redirect(reverse("reports:region", args=[region_pk]) + query)
    if scope.level is Level.NONE:
        raise PermissionDenied("没有可查看的排行榜。")
    return regions_page(request)


def regions_page(request: HttpRequest) -> HttpResponse:
    campaign, day = _campaign_and_day(request)
    context = _base_context(campaign, day)
    if campaign is not None and day is not None:
        sort = sort_key(request.GET.get("sort"))
        rows = region_board(request.user, campaign, day, sort=sort)
        if _wants_export(request) is not None:
            return leaderboard_response(
                "regions",
                rows,
                campaign,
                title=f"{campaign.name} · 片区排行 · {day:%Y-%m-%d}",
                file_name=_export_name(campaign, day, "全公司", "regions"),
            )
        page = _page(request, rows, "page")
        context |= {
            "page": page,
            "lines": board_lines(page, campaign),
            "sorts": _sorts(request, "sort", sort),
            "export_url": _export_url(request, "regions"),
        }
    return render(request, "reports/leaderboard_regions.html", context)


@login_required
def region_page(request: HttpRequest, region_pk: int) -> HttpResponse:
    region = leaderboard_region(request.user, region_pk)
    campaign, day = _campaign_and_day(request)
    context = _base_context(campaign, day) | {
        "region": region,
        "user_is_chain": scope_of(request.user).level is Level.CHAIN,
    }
    if campaign is None or day is None:
        return render(request, "reports/leaderboard_region.html", context)
    sort = sort_key(request.GET.get("sort"))
    staff_sort = sort_key(request.GET.get("staff_sort"))
    # Built only when asked for: a cached board needs none of the snapshot queries.
    tables = {
        "stores": lambda: store_board(request.user, campaign, day, region=region, sort=sort),
        "staff": lambda: staff_board(request.user, campaign, day, region=region, sort=staff_sort),
        "zero": lambda: zero_stores_of_day(request.user, campaign, day, region),
        "penalties": lambda: penalties_open(request.user, campaign, day, region),
    }
    if (table := _wants_export(request)) is not None:
        if table not in tables:
            raise NotFound("没有这张表。")
        return leaderboard_response(
            table,
            tables[table](),
            campaign,
            title=f"{campaign.name} · {region.name} · {day:%Y-%m-%d}",
            file_name=_export_name(campaign, day, region.name, table),
            rank_field="region_rank" if table in {"stores", "zero"} else "rank",
        )
    context |= {
        "export_urls": {table: _export_url(request, table) for table in tables},
        "penalty_page": _page(request, tables["penalties"](), "penalty_page", SHORT_LIST_PER_PAGE),
    }

    def render_board() -> str:
        stores = _page(request, tables["stores"](), "page")
        staff = _page(request, tables["staff"](), "staff_page")
        zero = _page(request, tables["zero"](), "zero_page", SHORT_LIST_PER_PAGE)
        return render_to_string(
            "reports/_region_board.html",
            context
            | {
                "store_sorts": _sorts(request, "sort", sort),
                "staff_sorts": _sorts(request, "staff_sort", staff_sort, with_zero=False),
                "stores_page": stores,
                "store_lines": board_lines(stores, campaign, rank_field="region_rank"),
                "staff_page": staff,
                "staff_lines": board_lines(staff, campaign),
                "zero_page": zero,
                "zero_lines": board_lines(zero, campaign, rank_field="region_rank"),
                "chart": pace_chart(campaign, region, day),
            },
            request=request,
        )

    # The board is the same for everyone allowed to see the region, so it is rendered once
    # per nightly run and query string; penalties change during the day and are not cached.
    generation = snapshot_generation(campaign, day, region)
    if generation is None:
        context["board"] = render_board()
    else:
        shown = ":".join(request.GET.get(param, "") for param in BOARD_PARAMS)
        key = f"region-board:{generation}:{shown}"
        context["board"] = cache.get_or_set(key, render_board, BOARD_CACHE_SECONDS)
    return render(request, "reports/leaderboard_region.html", context)


@login_required
def store_page(request: HttpRequest, store_id: int) -> HttpResponse:
    """One store's staff ranked: the last step of the drill-down region → store → staff."""
    store = store_get(request.user, store_id)
    campaign, day = _campaign_and_day(request)
    context = _base_context(campaign, day) | {"store": store}
    if campaign is None or day is None:
        return render(request, "reports/leaderboard_store.html", context)
    sort = sort_key(request.GET.get("staff_sort"))
    rows = staff_board(request.user, campaign, day, store=store, sort=sort)
    if (table := _wants_export(request)) is not None:
        if table != "staff":
            raise NotFound("没有这张表。")
        return leaderboard_response(
            "staff",
            rows,
            campaign,
            title=f"{campaign.name} · {store.name} · {day:%Y-%m-%d}",
            file_name=_export_name(campaign, day, str(store.store_id), "staff"),
        )
    page = _page(request, rows, "staff_page")
    store_rows = board_lines(
        store_board(request.user, campaign, day, region=store.region).filter(store=store),
        campaign,
        rank_field="region_rank",
    )
    context |= {
        "staff_sorts": _sorts(request, "staff_sort", sort, with_zero=False),
        "export_url": _export_url(request, "staff"),
        "staff_page": page,
        "staff_lines": board_lines(page, campaign),
        "store_line": store_rows[0] if store_rows else None,
        "may_see_region": scope_of(request.user).level in {Level.REGION, Level.CHAIN},
    }
    return render(request, "reports/leaderboard_store.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """店员/店长: their own and their store's place and progress, as one card."""
    if scope_of(request.user).level is not Level.STORE:
        return redirect("reports:leaderboard")
    campaign, day = _campaign_and_day(request)
    context = _base_context(campaign, day)
    if campaign is not None and day is not None:
        context["standing"] = my_standing(request.user, campaign, day)
        context["store"] = scope_of(request.user).staff.store
    return render(request, "reports/leaderboard_mine.html", context)
