"""The campaign assessment over the API (issue 9, item 4): the same figures as the
dashboard, narrowed to what the caller may see, paginated."""

from decimal import ROUND_HALF_UP

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from callbacks.selectors import active_campaign
from campaigns.selectors import campaign_get
from common.errors import NotFound, ServiceError
from reports.assessment import (
    Assessment,
    CostStatus,
    InputOutput,
    PromotionLine,
    assessment_of,
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

MONEY = {"max_digits": 16, "decimal_places": 2, "rounding": ROUND_HALF_UP, "read_only": True}
RATE = {"max_digits": 12, "decimal_places": 4, "rounding": ROUND_HALF_UP, "read_only": True}
COST_STATUS_HELP = "final：已确定；draft：按结算草稿计，审批后为准；pending：还没有结算，待结算"


class MeasureSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    baseline = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="活动前日均（客单价为活动前客单价）"
    )
    campaign = serializers.DecimalField(**MONEY, allow_null=True, help_text="活动期日均")
    growth = serializers.DecimalField(**RATE, allow_null=True, help_text="活动期 / 活动前 − 1")
    goal = serializers.DecimalField(**RATE, help_text="增长目标，如 1.00 = +100%")
    reached = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="是否达标；活动前没有销售时为 null"
    )


class CostSerializer(serializers.Serializer):
    source = serializers.CharField(read_only=True, help_text="rewards（奖励）、gifts（赠品）")
    label = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="已付金额；待结算时为 null"
    )
    status = serializers.ChoiceField(
        choices=CostStatus.choices, read_only=True, help_text=COST_STATUS_HELP
    )


class PromotionSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["store", "region", "chain"], read_only=True)
    store_id = serializers.IntegerField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    region_name = serializers.CharField(read_only=True, allow_null=True)
    baseline_sales = serializers.DecimalField(**MONEY)
    baseline_receipts = serializers.IntegerField(read_only=True)
    campaign_sales = serializers.DecimalField(**MONEY)
    campaign_receipts = serializers.IntegerField(read_only=True)
    sales = MeasureSerializer(read_only=True)
    customers = MeasureSerializer(read_only=True)
    ticket = MeasureSerializer(read_only=True)
    extra_sales = serializers.DecimalField(**MONEY, help_text="活动期销售 − 活动前日均 × 活动天数")
    costs = CostSerializer(many=True, read_only=True, help_text="投入的各项：奖励、赠品")
    input_total = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="投入合计；任一项待结算时为 null"
    )
    input_status = serializers.ChoiceField(
        choices=CostStatus.choices, read_only=True, help_text=f"投入合计的状态。{COST_STATUS_HELP}"
    )
    return_ratio = serializers.DecimalField(
        **RATE, allow_null=True, help_text="增量销售 ÷ 投入合计；投入为 0 或待结算时为 null"
    )


class DaySalesSerializer(serializers.Serializer):
    day = serializers.DateField(read_only=True)
    in_campaign = serializers.BooleanField(read_only=True)
    sales = serializers.DecimalField(**MONEY)
    receipts = serializers.IntegerField(read_only=True)


class EffectSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["staff", "store", "region", "chain"], read_only=True)
    key = serializers.CharField(read_only=True, help_text="员工销售ID、门店ID或片区名")
    name = serializers.CharField(read_only=True)
    store_id = serializers.IntegerField(read_only=True, allow_null=True)
    region_name = serializers.CharField(read_only=True, allow_null=True)
    calls = serializers.IntegerField(read_only=True, help_text="接通的电话")
    reached_members = serializers.IntegerField(read_only=True)
    converted_members = serializers.IntegerField(read_only=True)
    conversion_rate = serializers.DecimalField(**RATE, allow_null=True)
    converted_sales = serializers.DecimalField(**MONEY)
    comparison_members = serializers.IntegerField(read_only=True, help_text="一直未接通的会员")
    comparison_bought = serializers.IntegerField(read_only=True)
    comparison_rate = serializers.DecimalField(**RATE, allow_null=True)
    lift = serializers.DecimalField(**RATE, allow_null=True, help_text="转化率 − 未接通购买率")


class HourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(read_only=True, help_text="0–23，北京时间")
    calls = serializers.IntegerField(read_only=True, help_text="电话次数")
    connected = serializers.IntegerField(read_only=True)
    rate = serializers.DecimalField(**RATE, allow_null=True)


def _promotion_row(
    level: str, figures, spent: InputOutput, *, store_id=None, name="", region_name=None
) -> dict:
    return {
        "level": level,
        "store_id": store_id,
        "name": name,
        "region_name": region_name,
        "baseline_sales": figures.baseline_sales,
        "baseline_receipts": figures.baseline_receipts,
        "campaign_sales": figures.campaign_sales,
        "campaign_receipts": figures.campaign_receipts,
        "sales": figures.sales,
        "customers": figures.customers,
        "ticket": figures.ticket,
        "extra_sales": figures.extra_sales,
        "costs": [
            {"source": cost.name, "label": cost.label, "amount": cost.amount, "status": cost.status}
            for cost in spent.costs
        ],
        "input_total": spent.total,
        "input_status": spent.status,
        "return_ratio": spent.ratio,
    }


def _effect_row(level: str, line=None, *, effect=None, name="") -> dict:
    effect = effect if line is None else line.effect
    return {
        "level": level,
        "key": line.key if line else "",
        "name": line.name if line else name,
        "store_id": line.store_id if line else None,
        "region_name": line.region_name if line else None,
        "calls": effect.calls,
        "reached_members": effect.reached_members,
        "converted_members": effect.converted_members,
        "conversion_rate": effect.conversion_rate,
        "converted_sales": effect.converted_sales,
        "comparison_members": effect.comparison_members,
        "comparison_bought": effect.comparison_bought,
        "comparison_rate": effect.comparison_rate,
        "lift": effect.lift,
    }


CAMPAIGN = OpenApiParameter(
    "campaign", str, required=False, description="活动编码；默认进行中的活动"
)


def _level(choices: list[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "level", str, required=False, enum=choices, description=f"层级，默认 {choices[0]}"
    )


class _AssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends = []
    levels: list[str] = []

    def assessment(self) -> Assessment:
        code = self.request.query_params.get("campaign")
        campaign = campaign_get(self.request.user, code) if code else active_campaign()
        if campaign is None:
            raise NotFound("现在没有进行中的活动，请用 ?campaign=活动编码 指定。")
        return assessment_of(campaign)

    def level(self) -> str:
        level = self.request.query_params.get("level") or self.levels[0]
        if level not in self.levels:
            raise ServiceError(f"层级应为 {'、'.join(self.levels)} 之一。", field="level")
        return level

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.rows())
        return self.get_paginated_response(self.to_rows(page))

    def to_rows(self, page) -> list:
        return self.get_serializer(page, many=True).data


@extend_schema_view(list=extend_schema(parameters=[CAMPAIGN, _level(["store", "region", "chain"])]))
class PromotionViewSet(_AssessmentViewSet):
    """Promotion assessment (活动考核): each store's, region's or the whole scope's average
    campaign day against the days before it, with the three goals, and its input (rewards
    paid, gifts handed out) against its extra sales."""

    serializer_class = PromotionSerializer
    levels = ["store", "region", "chain"]

    def rows(self):
        self._assessment = assessment = self.assessment()
        user, level = self.request.user, self.level()
        if level == "store":
            return store_promotion(user, assessment).select_related("region")
        if level == "region":
            return region_promotion(user, assessment)
        return [(scope_name(user), total_promotion(user, assessment))]

    def to_rows(self, page) -> list:
        costs = campaign_costs(self.request.user, self._assessment)
        rows = []
        for item in page:
            if isinstance(item, PromotionLine):
                spent = costs.of_region(item.holder, item.figures)
                rows.append(_promotion_row("region", item.figures, spent, name=item.holder.name))
            elif isinstance(item, tuple):
                name, figures = item
                rows.append(_promotion_row("chain", figures, costs.of_scope(figures), name=name))
            else:
                figures = self._assessment.figures(item)
                rows.append(
                    _promotion_row(
                        "store",
                        figures,
                        costs.of_store(item, figures),
                        store_id=item.store_id,
                        name=item.name,
                        region_name=item.region.name,
                    )
                )
        return super().to_rows(rows)


@extend_schema_view(list=extend_schema(parameters=[CAMPAIGN]))
class DailySalesViewSet(_AssessmentViewSet):
    """Each day of the days before the campaign and of the campaign window."""

    serializer_class = DaySalesSerializer

    def rows(self):
        return daily_sales(self.request.user, self.assessment())


@extend_schema_view(
    list=extend_schema(parameters=[CAMPAIGN, _level(["staff", "store", "region", "chain"])])
)
class CallbackEffectViewSet(_AssessmentViewSet):
    """Callback effect (回访转化): members reached, converted and their sales per staff
    member, store or region, against the members never reached."""

    serializer_class = EffectSerializer
    levels = ["staff", "store", "region", "chain"]

    def rows(self):
        self._assessment = assessment = self.assessment()
        user, self._level = self.request.user, self.level()
        if self._level == "staff":
            return staff_effect_rows(user, assessment)
        if self._level == "store":
            return store_effect_rows(user, assessment)
        if self._level == "region":
            return region_effect(user, assessment)
        return [total_effect(user, assessment)]

    def to_rows(self, page) -> list:
        user, assessment, level = self.request.user, self._assessment, self._level
        if level == "staff":
            rows = [
                _effect_row(level, line) for line in effect_lines_of_staff(user, assessment, page)
            ]
        elif level == "store":
            rows = [
                _effect_row(level, line) for line in effect_lines_of_stores(user, assessment, page)
            ]
        elif level == "region":
            rows = [_effect_row(level, line) for line in page]
        else:
            rows = [_effect_row(level, effect=page[0], name=scope_name(user))]
        return super().to_rows(rows)


@extend_schema_view(list=extend_schema(parameters=[CAMPAIGN]))
class CallHoursViewSet(_AssessmentViewSet):
    """Phone attempts and connected ones by hour of the day (各时段接通率)."""

    serializer_class = HourSerializer

    def rows(self):
        return call_hours(self.request.user, self.assessment().campaign)
