"""The campaign assessment as one .xlsx: parameters, promotion figures of the chain (or the
caller's scope), its regions and stores with their input and 增量销售 ÷ 投入, the days, and
the callback effect by region, store, staff member and hour. Every row of every table, not
only the page on screen; rows are streamed from the same grouped queries the dashboard
reads."""

import os
import tempfile
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.http import FileResponse

from common.spreadsheets import Column, Sheet, write_xlsx
from reports.assessment import (
    Assessment,
    CallbackEffect,
    CampaignCosts,
    EffectLine,
    InputOutput,
    Measure,
    PromotionFigures,
    call_hours,
    campaign_costs,
    daily_sales,
    effect_lines_of_staff,
    effect_lines_of_stores,
    region_effect,
    region_promotion,
    staff_effect_rows,
    store_effect_rows,
    store_promotion,
    total_effect,
    total_promotion,
)
from reports.selectors import percent_of

CHUNK = 2000
HUNDREDTH = Decimal("0.01")


def ratio_cell(value: Decimal | None) -> Decimal | None:
    """A rate as the page rounds it (93.5%), as a fraction for a percent cell."""
    shown = percent_of(value)
    return None if shown is None else shown / 100


def reached_text(measure: Measure) -> str:
    if measure.reached is None:
        return "无活动前数据"
    return "达标" if measure.reached else "未达标"


def _measure_columns(label: str, kind: str) -> list[Column]:
    return [
        Column(f"活动前{label}", kind=kind),
        Column(f"活动期{label}", kind=kind),
        Column(f"{label}增长", kind="percent", width=10),
        Column(f"{label}目标", kind="percent", width=10),
        Column(f"{label}达标", width=12),
    ]


PROMOTION_COLUMNS = [
    Column("活动前销售额", kind="money"),
    Column("活动前客单数", kind="int", width=12),
    Column("活动期销售额", kind="money"),
    Column("活动期客单数", kind="int", width=12),
    *_measure_columns("日均销售额", "money"),
    *_measure_columns("日均客单数", "money"),
    *_measure_columns("客单价", "money"),
    Column("达标项数", kind="int", width=10),
    Column("增量销售", kind="money"),
]
EFFECT_COLUMNS = [
    Column("接通电话", kind="int", width=10),
    Column("接通会员", kind="int", width=10),
    Column("转化会员", kind="int", width=10),
    Column("转化率", kind="percent", width=10),
    Column("转化销售额", kind="money"),
    Column("未接通会员", kind="int", width=10),
    Column("其中购买", kind="int", width=10),
    Column("未接通购买率", kind="percent", width=12),
    Column("转化率差", kind="percent", width=10),
]


def _measure_cells(measure: Measure) -> tuple:
    return (
        measure.baseline,
        measure.campaign,
        ratio_cell(measure.growth),
        measure.goal,
        reached_text(measure),
    )


def promotion_columns(costs: CampaignCosts) -> list[Column]:
    """The promotion figures, then the input: each cost source's amount and status (left
    blank while pending), their total, and 增量销售 ÷ 投入 (blank when nothing was spent)."""
    return [
        *PROMOTION_COLUMNS,
        *(
            column
            for source in costs.sources
            for column in (
                Column(source.label, kind="money"),
                Column(f"{source.label}状态", width=10),
            )
        ),
        Column("投入合计", kind="money"),
        Column("投入状态", width=10),
        Column("增量销售 ÷ 投入", kind="decimal", width=14),
    ]


def input_cells(spent: InputOutput) -> tuple:
    ratio = spent.ratio
    return (
        *(cell for cost in spent.costs for cell in (cost.amount, cost.status.label)),
        spent.total,
        spent.status.label,
        None if ratio is None else ratio.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
    )


def promotion_cells(figures: PromotionFigures) -> tuple:
    return (
        figures.baseline_sales,
        figures.baseline_receipts,
        figures.campaign_sales,
        figures.campaign_receipts,
        *_measure_cells(figures.sales),
        *_measure_cells(figures.customers),
        *_measure_cells(figures.ticket),
        figures.goals_reached,
        figures.extra_sales,
    )


def effect_cells(effect: CallbackEffect) -> tuple:
    return (
        effect.calls,
        effect.reached_members,
        effect.converted_members,
        ratio_cell(effect.conversion_rate),
        effect.converted_sales,
        effect.comparison_members,
        effect.comparison_bought,
        ratio_cell(effect.comparison_rate),
        ratio_cell(effect.lift),
    )


def _chunks(queryset) -> Iterator[list]:
    """A grouped query's rows a chunk at a time, so each chunk's comparison groups are one
    more query and the whole table is never held at once."""
    chunk = []
    for row in queryset.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _effect_rows(user, assessment: Assessment, rows, to_lines, holder) -> Iterable[tuple]:
    for chunk in _chunks(rows):
        for line in to_lines(user, assessment, chunk):
            yield (*holder(line), *effect_cells(line.effect))


def _store_effect_holder(line: EffectLine) -> tuple:
    return (line.store_id, line.name, line.region_name)


def _staff_effect_holder(line: EffectLine) -> tuple:
    return (line.key, line.name, line.store_id, line.region_name)


def assessment_sheets(user, assessment: Assessment, scope_name: str) -> list[Sheet]:
    campaign, parameters, periods = assessment.campaign, assessment.parameters, assessment.periods
    title = (
        f"{campaign.name}（{campaign.code}） · {scope_name} · 活动期 "
        f"{periods.campaign_first:%Y-%m-%d} 至 {periods.campaign_last:%Y-%m-%d}，对比活动前 "
        f"{periods.baseline_days} 天（{periods.baseline_first:%Y-%m-%d} 至 "
        f"{periods.baseline_last:%Y-%m-%d}）的日均"
    )
    costs = campaign_costs(user, assessment)
    notes = [
        title,
        "品牌门店销售（不含有赞小程序下账的预售订单）。"
        + "".join(costs.notes)
        + "投入合计为各项之和；增量销售 ÷ 投入在投入为 0 时留空。",
    ]
    columns = promotion_columns(costs)
    goals = parameters.goals
    parameter_rows = [
        ("活动前对比天数", parameters.baseline_days),
        ("销售额增长目标", f"{percent_of(goals.sales)}%"),
        ("客单数增长目标", f"{percent_of(goals.customers)}%"),
        ("客单价增长目标", f"{percent_of(goals.ticket)}%"),
        ("回访后计入转化的天数", parameters.conversion_days),
    ]
    stores = store_promotion(user, assessment).select_related("region")
    total = total_promotion(user, assessment)
    return [
        Sheet(
            "考核参数",
            [Column("参数", width=24), Column("值", width=14)],
            parameter_rows,
            title_lines=[title],
        ),
        Sheet(
            "活动考核-合计",
            [Column("范围", width=14), *columns],
            [(scope_name, *promotion_cells(total), *input_cells(costs.of_scope(total)))],
            title_lines=notes,
        ),
        Sheet(
            "活动考核-片区",
            [Column("片区", width=14), *columns],
            (
                (
                    line.holder.name,
                    *promotion_cells(line.figures),
                    *input_cells(costs.of_region(line.holder, line.figures)),
                )
                for line in region_promotion(user, assessment)
            ),
            title_lines=notes,
        ),
        Sheet(
            "活动考核-门店",
            [
                Column("门店ID", kind="int", width=8),
                Column("门店名称", width=24),
                Column("片区", width=12),
                *columns,
            ],
            (
                _store_row(store, assessment.figures(store), costs)
                for store in stores.iterator(chunk_size=CHUNK)
            ),
            title_lines=notes,
        ),
        Sheet(
            "每日销售",
            [
                Column("日期", kind="date", width=12),
                Column("期间", width=8),
                Column("销售额", kind="money"),
                Column("客单数", kind="int", width=10),
            ],
            (
                (day.day, "活动期" if day.in_campaign else "活动前", day.sales, day.receipts)
                for day in daily_sales(user, assessment)
            ),
            title_lines=[title],
        ),
        Sheet(
            "回访转化-合计",
            [Column("范围", width=14), *EFFECT_COLUMNS],
            [(scope_name, *effect_cells(total_effect(user, assessment)))],
            title_lines=[title, _effect_note(assessment)],
        ),
        Sheet(
            "回访转化-片区",
            [Column("片区", width=14), *EFFECT_COLUMNS],
            ((line.name, *effect_cells(line.effect)) for line in region_effect(user, assessment)),
            title_lines=[title, _effect_note(assessment)],
        ),
        Sheet(
            "回访转化-门店",
            [
                Column("门店ID", kind="int", width=8),
                Column("门店名称", width=24),
                Column("片区", width=12),
                *EFFECT_COLUMNS,
            ],
            _effect_rows(
                user,
                assessment,
                store_effect_rows(user, assessment),
                effect_lines_of_stores,
                _store_effect_holder,
            ),
            title_lines=[title, _effect_note(assessment)],
        ),
        Sheet(
            "回访转化-员工",
            [
                Column("员工销售ID", width=12),
                Column("员工", width=10),
                Column("门店ID", kind="int", width=8),
                Column("片区", width=12),
                *EFFECT_COLUMNS,
            ],
            _effect_rows(
                user,
                assessment,
                staff_effect_rows(user, assessment),
                effect_lines_of_staff,
                _staff_effect_holder,
            ),
            title_lines=[title, _effect_note(assessment), "员工的未接通会员为其所在门店的。"],
        ),
        Sheet(
            "各时段接通率",
            [
                Column("时段", width=14),
                Column("电话次数", kind="int", width=10),
                Column("接通", kind="int", width=10),
                Column("接通率", kind="percent", width=10),
            ],
            (
                (hour.label, hour.calls, hour.connected, ratio_cell(hour.rate))
                for hour in call_hours(user, campaign)
            ),
            title_lines=[title],
        ),
    ]


def _store_row(store, figures: PromotionFigures, costs: CampaignCosts) -> tuple:
    return (
        store.store_id,
        store.name,
        store.region.name,
        *promotion_cells(figures),
        *input_cells(costs.of_store(store, figures)),
    )


def _effect_note(assessment: Assessment) -> str:
    days = assessment.parameters.conversion_days
    return (
        f"转化：接通电话当天或之后 {days} 天内购买活动品牌（门店或有赞预售），"
        "计给购买前最后一次接通的电话；只发短信、微信不计。"
    )


def assessment_response(user, assessment: Assessment, scope_name: str) -> FileResponse:
    """Write the workbook to a temporary file and stream it; the file is gone once sent."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(Path(path), assessment_sheets(user, assessment, scope_name))
        opened = open(path, "rb")  # noqa: SIM115 - FileResponse closes it after streaming
    finally:
        # The open handle keeps the data readable after the name is removed (POSIX).
        os.unlink(path)
    file_name = f"活动考核_{assessment.campaign.code}_{scope_name}.xlsx"
    return FileResponse(opened, as_attachment=True, filename=file_name)
