"""How the assessment's figures read on screen: rates as 93.5%, growth with ▲ (red, up) or
▼ (green, down) and a sign, a goal as a word, never colour alone, and a cost not yet
settled marked as such."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.money import format_yuan
from reports.assessment import Cost, CostStatus, InputOutput, Measure
from reports.selectors import percent_of, rate_text

register = template.Library()

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
PENDING_BADGE = mark_safe('<span class="badge">待结算</span>')


@register.filter
def rate(value: Decimal | None) -> str:
    return rate_text(value)


@register.filter
def goal_rate(value: Decimal) -> str:
    return f"+{rate_text(value, whole=True)}"


@register.filter
def growth(value: Decimal | None) -> str:
    """▲ +140.0% (up, red) / ▼ −20.0% (down, green) / — without a baseline."""
    shown = percent_of(value)
    if shown is None:
        return mark_safe('<span class="muted">—</span>')
    if shown > 0:
        return format_html('<span class="up">▲ +{}%</span>', shown)
    if shown < 0:
        return format_html('<span class="down">▼ {}%</span>', shown)
    return mark_safe('<span class="muted">持平 0.0%</span>')


@register.filter
def measure_value(value: Decimal | None, measure: Measure) -> str:
    """Money as ¥1,598.00; customers a day with one decimal."""
    if value is None:
        return "—"
    if measure.is_money:
        return format_yuan(value)
    return f"{value.quantize(TENTH, rounding=ROUND_HALF_UP)}"


@register.filter
def reached_badge(measure: Measure) -> str:
    if measure.reached is None:
        return mark_safe('<span class="badge">无活动前数据</span>')
    if measure.reached:
        return mark_safe('<span class="badge goal-reached">✓ 达标</span>')
    return mark_safe('<span class="badge goal-missed">✗ 未达标</span>')


@register.filter
def cost_value(cost: Cost) -> str:
    """¥330.00; ¥330.00 草稿 while the settlement is a draft; 待结算 before there is one."""
    if cost.status == CostStatus.PENDING:
        return PENDING_BADGE
    if cost.status == CostStatus.DRAFT:
        return format_html('{} <span class="badge">草稿</span>', format_yuan(cost.amount))
    return format_yuan(cost.amount)


@register.filter
def return_ratio(figures: InputOutput) -> str:
    """增量销售 ÷ 投入 as 4.69; — when nothing was spent; 待结算 before the input is known."""
    if figures.status == CostStatus.PENDING:
        return PENDING_BADGE
    if figures.ratio is None:
        return mark_safe('<span class="muted">—</span>')
    return f"{figures.ratio.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)}"
