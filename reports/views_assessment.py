"""The campaign dashboard (活动考核) for 营运部: the promotion against the days before it,
what the callbacks brought in, and the best hours to call, with charts and an .xlsx export;
a 片长 sees their region and store staff their store. And the best-hours hint the callback
page loads for staff planning their calls."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from callbacks.selectors import active_campaign
from campaigns.selectors import campaign_get, campaigns_visible
from common.errors import PermissionDenied
from common.money import format_yuan
from reports.assessment import (
    Assessment,
    DaySales,
    EffectLine,
    HourRate,
    PromotionFigures,
    assessment_of,
    best_hours,
    call_hours,
    campaign_costs,
    daily_sales,
    effect_lines_of_staff,
    effect_lines_of_stores,
    region_effect,
    region_promotion,
    scope_name,
    staff_effect_rows,
    store_effect_rows,
    store_promotion,
    total_effect,
    total_promotion,
)
from reports.charts import BarChart, Reference, Series, bar_chart
from reports.exports_assessment import assessment_response
from reports.selectors import rate_text
from reports.views import _page, _url_with
from stores.access import Level, scope_of

CAMPAIGN_BLUE, BASELINE_GREY, GOAL_RED, BASELINE_BROWN = "#0b6bcb", "#8c959f", "#cf222e", "#9a6700"


def daily_chart(assessment: Assessment, days: list[DaySales], total: PromotionFigures):
    goal = assessment.parameters.goals.sales
    baseline = total.sales.baseline or Decimal(0)
    return bar_chart(
        chart_id="daily-chart",
        title="每日销售与活动前日均",
        labels=[f"{each.day.month}/{each.day.day}" for each in days],
        series=[
            Series(
                "活动前每日销售", BASELINE_GREY, [None if d.in_campaign else d.sales for d in days]
            ),
            Series(
                "活动期每日销售", CAMPAIGN_BLUE, [d.sales if d.in_campaign else None for d in days]
            ),
        ],
        references=[
            Reference("活动前日均", baseline, BASELINE_BROWN),
            Reference(
                f"目标日均（+{rate_text(goal, whole=True)}）", baseline * (1 + goal), GOAL_RED
            ),
        ],
        value_text=format_yuan,
    )


def region_chart(lines: list[EffectLine]) -> BarChart:
    return bar_chart(
        chart_id="region-chart",
        title="各片区回访转化率与未接通会员购买率",
        labels=[line.name for line in lines],
        series=[
            Series("接通后转化率", CAMPAIGN_BLUE, [line.effect.conversion_rate for line in lines]),
            Series(
                "未接通会员购买率", BASELINE_GREY, [line.effect.comparison_rate for line in lines]
            ),
        ],
        value_text=rate_text,
    )


def hours_chart(hours: list[HourRate]) -> BarChart:
    return bar_chart(
        chart_id="hours-chart",
        title="各时段电话接通率",
        labels=[f"{hour.hour}时" for hour in hours],
        series=[Series("接通率", CAMPAIGN_BLUE, [hour.rate for hour in hours])],
        value_text=rate_text,
        labels_shown=12,
    )


def _campaign(request: HttpRequest):
    code = request.GET.get("campaign")
    return campaign_get(request.user, code) if code else active_campaign()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if scope_of(request.user).level is Level.NONE:
        raise PermissionDenied("没有可查看的活动考核。")
    campaign = _campaign(request)
    context = {"campaign": campaign, "campaigns": campaigns_visible(request.user)}
    if campaign is None:
        return render(request, "reports/assessment/dashboard.html", context)
    assessment = assessment_of(campaign)
    user = request.user
    if request.GET.get("export") == "xlsx":
        return assessment_response(user, assessment, scope_name(user))
    total = total_promotion(user, assessment)
    costs = campaign_costs(user, assessment)
    days = daily_sales(user, assessment)
    stores = _page(request, store_promotion(user, assessment).select_related("region"), "page")
    store_figures = [(store, assessment.figures(store)) for store in stores]
    effect_regions = region_effect(user, assessment)
    effect_stores = _page(request, store_effect_rows(user, assessment), "store_page")
    effect_staff = _page(request, staff_effect_rows(user, assessment), "staff_page")
    hours = call_hours(user, campaign)
    context |= {
        "assessment": assessment,
        "parameters": assessment.parameters,
        "periods": assessment.periods,
        "scope_name": scope_name(user),
        "total": total,
        "total_input": costs.of_scope(total),
        "costs": costs,
        "regions": [
            (line, costs.of_region(line.holder, line.figures))
            for line in region_promotion(user, assessment)
        ],
        "stores_page": stores,
        "store_lines": [
            (store, figures, costs.of_store(store, figures)) for store, figures in store_figures
        ],
        "effect": total_effect(user, assessment),
        "effect_regions": effect_regions,
        "effect_stores_page": effect_stores,
        "effect_store_lines": effect_lines_of_stores(user, assessment, effect_stores),
        "effect_staff_page": effect_staff,
        "effect_staff_lines": effect_lines_of_staff(user, assessment, effect_staff),
        "hours": hours,
        "best_hours": best_hours(hours),
        "daily_chart": daily_chart(assessment, days, total),
        "region_chart": region_chart(effect_regions),
        "hours_chart": hours_chart(hours),
        "export_url": _url_with(request, export="xlsx"),
    }
    return render(request, "reports/assessment/dashboard.html", context)


@login_required
def best_hours_hint(request: HttpRequest) -> HttpResponse:
    """The callback page's hint: the hours this store's calls got through most often."""
    campaign = active_campaign()
    hours = call_hours(request.user, campaign) if campaign else []
    return render(
        request,
        "reports/assessment/_best_hours.html",
        {"best_hours": best_hours(hours), "campaign": campaign},
    )
