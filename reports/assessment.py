"""Did it work? (issue 9): the promotion judged against the days before it (rules.md §10,
handbook chapter 8), and what each connected callback brought in.

Every figure is one grouped query over the facts (POS sale lines, Youzan orders, callback
attempts), narrowed through the access functions; no reader's query count grows with the
number of stores, staff or members.

- Promotion: the campaign brand's in-store POS lines (the booked presale orders, channel
  有赞小程序, left out as in rules.md §4) of the campaign window (the presale window), per
  average day, against the average day of the `baseline_days` days before it: sales,
  customers (receipts) and average ticket, each against its goal.
- Callback effect: a purchase of the campaign brand (an in-store POS line, or a paid
  Youzan order by the member's phone) is credited to the member's last connected call
  (a phone attempt with outcome reached) before it, when it falls on the call's day or one
  of the `conversion_days` days after. Messages are never calls, so they are never
  credited. The members never reached by phone are the comparison group: how many of them
  bought in the same period (the callback window and the `conversion_days` after it).
- Input and output: what the campaign cost (the rewards paid, the gifts handed out, ...)
  against its extra sales. reports/ comes before the apps that record those costs, so it
  never imports them: each registers a cost source from its AppConfig.ready().
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate

from callbacks.models import CallbackAttempt, CallbackTask, Channel, Outcome
from campaigns.documents import ASSESSMENT_DEFAULTS
from campaigns.models import Campaign
from common.dates import local_day_range
from members.models import SaleLine
from presale.models import YouzanOrder
from reports.facts import BOOKED_PRESALE_CHANNEL
from stores.access import Level, regions_visible, restrict, scope_of, stores_visible
from stores.models import Region, Store

ZERO = Decimal("0.00")
ONE_DAY = datetime.timedelta(days=1)
# A connected call with no later one credits purchases up to its last day only.
NO_LATER_CALL = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
# An hour needs this many phone attempts before it is named among the best ones.
BEST_HOUR_MINIMUM_CALLS = 5
BEST_HOURS_SHOWN = 3


@dataclass(frozen=True)
class Goals:
    sales: Decimal
    customers: Decimal
    ticket: Decimal


@dataclass(frozen=True)
class AssessmentParameters:
    baseline_days: int
    goals: Goals
    conversion_days: int


def assessment_parameters(campaign: Campaign) -> AssessmentParameters:
    """The campaign document's "assessment" object, or the handbook's defaults."""
    given = {**ASSESSMENT_DEFAULTS, **(campaign.assessment or {})}
    goals = {**ASSESSMENT_DEFAULTS["goals"], **given["goals"]}
    return AssessmentParameters(
        baseline_days=given["baseline_days"],
        goals=Goals(**{name: Decimal(rate) for name, rate in goals.items()}),
        conversion_days=given["conversion_days"],
    )


@dataclass(frozen=True)
class Periods:
    baseline_first: datetime.date
    baseline_last: datetime.date
    campaign_first: datetime.date
    campaign_last: datetime.date

    @property
    def baseline_days(self) -> int:
        return (self.baseline_last - self.baseline_first).days + 1

    @property
    def campaign_days(self) -> int:
        return (self.campaign_last - self.campaign_first).days + 1

    @property
    def days(self) -> list[datetime.date]:
        span = (self.campaign_last - self.baseline_first).days + 1
        return [self.baseline_first + ONE_DAY * offset for offset in range(span)]


def assessment_periods(campaign: Campaign, parameters: AssessmentParameters) -> Periods:
    """The campaign (sales) window and the days right before it."""
    return Periods(
        baseline_first=campaign.presale_start - ONE_DAY * parameters.baseline_days,
        baseline_last=campaign.presale_start - ONE_DAY,
        campaign_first=campaign.presale_start,
        campaign_last=campaign.presale_end,
    )


def scope_name(user) -> str:
    """What the figures cover, as headings and file names say it."""
    scope = scope_of(user)
    if scope.level is Level.CHAIN:
        return "全公司"
    if scope.level is Level.REGION:
        return "、".join(regions_visible(user).order_by("name").values_list("name", flat=True))
    return scope.staff.store.name if scope.level is Level.STORE else ""


# ---------------------------------------------------------------------------------------
# Promotion assessment


@dataclass(frozen=True)
class Measure:
    """One figure of the average baseline day against the campaign's, and its goal."""

    label: str
    baseline: Decimal | None
    campaign: Decimal | None
    goal: Decimal
    is_money: bool = True

    @property
    def growth(self) -> Decimal | None:
        """campaign / baseline − 1; None when there is nothing to compare with."""
        if not self.baseline or self.campaign is None:
            return None
        return self.campaign / self.baseline - 1

    @property
    def reached(self) -> bool | None:
        growth = self.growth
        return None if growth is None else growth >= self.goal


@dataclass(frozen=True)
class PromotionFigures:
    baseline_sales: Decimal
    baseline_receipts: int
    campaign_sales: Decimal
    campaign_receipts: int
    periods: Periods
    goals: Goals

    @property
    def sales(self) -> Measure:
        return Measure(
            "销售额（日均）",
            self.baseline_sales / self.periods.baseline_days,
            self.campaign_sales / self.periods.campaign_days,
            self.goals.sales,
        )

    @property
    def customers(self) -> Measure:
        return Measure(
            "客单数（日均）",
            Decimal(self.baseline_receipts) / self.periods.baseline_days,
            Decimal(self.campaign_receipts) / self.periods.campaign_days,
            self.goals.customers,
            is_money=False,
        )

    @property
    def ticket(self) -> Measure:
        return Measure(
            "客单价",
            self.baseline_sales / self.baseline_receipts if self.baseline_receipts else None,
            self.campaign_sales / self.campaign_receipts if self.campaign_receipts else None,
            self.goals.ticket,
        )

    @property
    def measures(self) -> tuple[Measure, Measure, Measure]:
        return self.sales, self.customers, self.ticket

    @property
    def goals_reached(self) -> int:
        return sum(1 for measure in self.measures if measure.reached)

    @property
    def extra_sales(self) -> Decimal:
        """Campaign sales above what the baseline's average day would have sold."""
        expected = self.baseline_sales * self.periods.campaign_days / self.periods.baseline_days
        return self.campaign_sales - expected


@dataclass(frozen=True)
class PromotionLine:
    """A store's or region's row of the assessment table."""

    holder: Store | Region
    figures: PromotionFigures


def _lines_of_campaign(campaign: Campaign, periods: Periods, prefix: str = "") -> Q:
    start, end = local_day_range(periods.baseline_first, periods.campaign_last)
    return Q(
        **{
            f"{prefix}brand": campaign.brand,
            f"{prefix}sold_at__gte": start,
            f"{prefix}sold_at__lt": end,
        }
    ) & ~Q(**{f"{prefix}channel": BOOKED_PRESALE_CHANNEL})


def _promotion_sums(periods: Periods, path: str = "") -> dict:
    """Baseline and campaign sales and receipts of the lines at `path`, in one pass."""
    campaign_start = local_day_range(periods.campaign_first)[0]
    baseline = Q(**{f"{path}sold_at__lt": campaign_start})
    in_campaign = Q(**{f"{path}sold_at__gte": campaign_start})
    return {
        "baseline_sales": Coalesce(Sum(f"{path}amount", filter=baseline), ZERO),
        "baseline_receipts": Count(f"{path}receipt_no", filter=baseline, distinct=True),
        "campaign_sales": Coalesce(Sum(f"{path}amount", filter=in_campaign), ZERO),
        "campaign_receipts": Count(f"{path}receipt_no", filter=in_campaign, distinct=True),
    }


def _figures(row, periods: Periods, goals: Goals) -> PromotionFigures:
    get = row.get if isinstance(row, dict) else lambda name, default: getattr(row, name, default)
    return PromotionFigures(
        baseline_sales=get("baseline_sales", ZERO) or ZERO,
        baseline_receipts=get("baseline_receipts", 0) or 0,
        campaign_sales=get("campaign_sales", ZERO) or ZERO,
        campaign_receipts=get("campaign_receipts", 0) or 0,
        periods=periods,
        goals=goals,
    )


@dataclass(frozen=True)
class Assessment:
    """What the dashboard needs to ask for the figures of one campaign."""

    campaign: Campaign
    parameters: AssessmentParameters
    periods: Periods

    def figures(self, row) -> PromotionFigures:
        return _figures(row, self.periods, self.parameters.goals)


def assessment_of(campaign: Campaign) -> Assessment:
    parameters = assessment_parameters(campaign)
    return Assessment(campaign, parameters, assessment_periods(campaign, parameters))


def _visible_lines(user, assessment: Assessment) -> QuerySet[SaleLine]:
    return restrict(
        user,
        SaleLine.objects.filter(_lines_of_campaign(assessment.campaign, assessment.periods)),
        store_path="store",
    )


def store_promotion(user, assessment: Assessment) -> QuerySet[Store]:
    """Every active store the user may see, with its baseline and campaign sums; a store
    without sales in either period is there with zeros. Paginate it; turn rows into
    figures with `assessment.figures(row)`."""
    lines = FilteredRelation(
        "sale_lines",
        condition=_lines_of_campaign(assessment.campaign, assessment.periods, "sale_lines__"),
    )
    return (
        stores_visible(user)
        .filter(active=True)
        .annotate(assessed_lines=lines)
        .annotate(**_promotion_sums(assessment.periods, "assessed_lines__"))
        .order_by("store_id")
    )


def region_promotion(user, assessment: Assessment) -> list[PromotionLine]:
    """The regions the user leads or sees, each the sum of its visible stores; store staff
    see their store alone, so they get no region rows."""
    if scope_of(user).level not in {Level.REGION, Level.CHAIN}:
        return []
    sums = {
        row["store__region"]: row
        for row in _visible_lines(user, assessment)
        .values("store__region")
        .annotate(**_promotion_sums(assessment.periods))
    }
    return [
        PromotionLine(region, assessment.figures(sums.get(region.pk, {})))
        for region in regions_visible(user).order_by("name")
    ]


def total_promotion(user, assessment: Assessment) -> PromotionFigures:
    """Every store the user may see together: the chain for 营运部, a 片长's region."""
    return assessment.figures(
        _visible_lines(user, assessment).aggregate(**_promotion_sums(assessment.periods))
    )


# ---------------------------------------------------------------------------------------
# Input and output


class CostStatus(TextChoices):
    """How far a cost is settled; a holder's input is only as settled as its least settled
    part."""

    FINAL = "final", "已确定"
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待结算"


LEAST_SETTLED_LAST = [CostStatus.FINAL, CostStatus.DRAFT, CostStatus.PENDING]


@dataclass(frozen=True)
class SourceCosts:
    """What one source says a campaign cost, in the acting user's scope: the rows of one
    grouped query (or any mappings) with `region` (pk), `store` (pk, or None for an amount
    of the region itself, such as a region's reward) and `amount`. A pending source has no
    figure yet, so it gives no rows."""

    status: CostStatus
    rows: Iterable[Mapping] = ()
    note: str = ""


@dataclass(frozen=True)
class CostSource:
    name: str
    label: str
    costs: Callable[..., SourceCosts]  # (user, campaign) -> SourceCosts


# Filled by the AppConfig.ready() of the apps that record costs, in INSTALLED_APPS order.
COST_SOURCES: list[CostSource] = []


def cost_source_register(name: str, label: str, costs: Callable[..., SourceCosts]) -> None:
    """Count `costs(user, campaign)` in every campaign's input, under `label`; registering
    a name again replaces it."""
    COST_SOURCES[:] = [source for source in COST_SOURCES if source.name != name]
    COST_SOURCES.append(CostSource(name, label, costs))


@dataclass(frozen=True)
class Cost:
    """One source's part of a store's, a region's or the whole scope's input; no amount
    while it is pending."""

    name: str
    label: str
    amount: Decimal | None
    status: CostStatus


@dataclass(frozen=True)
class InputOutput:
    """A holder's input (its costs together) against its extra sales."""

    costs: tuple[Cost, ...]
    extra_sales: Decimal

    @property
    def status(self) -> CostStatus:
        statuses = [cost.status for cost in self.costs]
        return max(statuses, key=LEAST_SETTLED_LAST.index, default=CostStatus.FINAL)

    @property
    def total(self) -> Decimal | None:
        """None while any part is pending: a part of the input is not the input."""
        if self.status == CostStatus.PENDING:
            return None
        return sum((cost.amount for cost in self.costs), ZERO)

    @property
    def input(self) -> Cost:
        return Cost("total", "投入合计", self.total, self.status)

    @property
    def ratio(self) -> Decimal | None:
        """增量销售 ÷ 投入; None while pending or when nothing was spent."""
        total = self.total
        return self.extra_sales / total if total else None


@dataclass(frozen=True)
class _SourceTotals:
    source: CostSource
    status: CostStatus
    note: str
    by_store: dict[int, Decimal]
    by_region: dict[int, Decimal]
    total: Decimal

    def cost(self, amount: Decimal) -> Cost:
        pending = self.status == CostStatus.PENDING
        return Cost(self.source.name, self.source.label, None if pending else amount, self.status)


@dataclass(frozen=True)
class CampaignCosts:
    """Every source's costs of the campaign in the user's scope, summed per store, per
    region (its stores' and the region's own) and over the whole scope."""

    parts: tuple[_SourceTotals, ...]

    @property
    def sources(self) -> list[CostSource]:
        return [part.source for part in self.parts]

    @property
    def notes(self) -> list[str]:
        return [f"{part.source.label}：{part.note}" for part in self.parts if part.note]

    def of_store(self, store: Store, figures: PromotionFigures) -> InputOutput:
        costs = tuple(part.cost(part.by_store.get(store.pk, ZERO)) for part in self.parts)
        return InputOutput(costs, figures.extra_sales)

    def of_region(self, region: Region, figures: PromotionFigures) -> InputOutput:
        costs = tuple(part.cost(part.by_region.get(region.pk, ZERO)) for part in self.parts)
        return InputOutput(costs, figures.extra_sales)

    def of_scope(self, figures: PromotionFigures) -> InputOutput:
        costs = tuple(part.cost(part.total) for part in self.parts)
        return InputOutput(costs, figures.extra_sales)


def _source_totals(source: CostSource, found: SourceCosts) -> _SourceTotals:
    by_store: dict[int, Decimal] = {}
    by_region: dict[int, Decimal] = {}
    total = ZERO
    for row in found.rows:
        amount = row["amount"] or ZERO
        if row["store"] is not None:
            by_store[row["store"]] = by_store.get(row["store"], ZERO) + amount
        by_region[row["region"]] = by_region.get(row["region"], ZERO) + amount
        total += amount
    return _SourceTotals(source, found.status, found.note, by_store, by_region, total)


def campaign_costs(user, assessment: Assessment) -> CampaignCosts:
    """Ask each registered source once (one grouped query each, whatever the number of
    stores); the page, the API and the workbook read every row's input from the answer."""
    return CampaignCosts(
        tuple(
            _source_totals(source, source.costs(user, assessment.campaign))
            for source in COST_SOURCES
        )
    )


@dataclass(frozen=True)
class DaySales:
    day: datetime.date
    sales: Decimal
    receipts: int
    in_campaign: bool


def daily_sales(user, assessment: Assessment) -> list[DaySales]:
    """Each day of the baseline and the campaign window, a day without sales as 0."""
    rows = {
        row["day"]: row
        for row in _visible_lines(user, assessment)
        .annotate(day=TruncDate("sold_at"))
        .values("day")
        .annotate(sales=Sum("amount"), receipts=Count("receipt_no", distinct=True))
    }
    return [
        DaySales(
            day=day,
            sales=rows.get(day, {}).get("sales") or ZERO,
            receipts=rows.get(day, {}).get("receipts", 0),
            in_campaign=day >= assessment.periods.campaign_first,
        )
        for day in assessment.periods.days
    ]


# ---------------------------------------------------------------------------------------
# Callback effect


def _connected(prefix: str = "") -> Q:
    return Q(**{f"{prefix}channel": Channel.PHONE, f"{prefix}outcome": Outcome.REACHED})


def _in_store_purchases(brand: str) -> QuerySet[SaleLine]:
    """The brand's in-store lines (not the booked presale orders). The brand is tested as
    a CASE, which no index serves: a member's lines are then found through their own
    (member, sold_at) index; given `brand = …` too, SQLite takes the (brand, sold_at)
    index instead and reads every line of the brand in the range, for every call."""
    return (
        SaleLine.objects.filter(amount__gt=0)
        .exclude(channel=BOOKED_PRESALE_CHANNEL)
        .alias(
            of_brand=Case(
                When(brand=brand, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .filter(of_brand=True)
    )


def _presale_purchases() -> QuerySet[YouzanOrder]:
    return YouzanOrder.objects.filter(net_amount__gt=0).exclude(buyer_phone="")


def credited_calls(user, assessment: Assessment) -> QuerySet[CallbackAttempt]:
    """The connected calls the user may see, each with the brand sales credited to it:
    purchases after the call, up to the member's next connected call (that one is then the
    last before them), on the call's day or within `conversion_days` days after it."""
    campaign = assessment.campaign
    days_after = ONE_DAY * (assessment.parameters.conversion_days + 1)
    next_call = (
        CallbackAttempt.objects.filter(_connected(), task=OuterRef("task"), at__gt=OuterRef("at"))
        .order_by("at")
        .values("at")[:1]
    )
    calls = restrict(
        user,
        CallbackAttempt.objects.filter(_connected(), task__campaign=campaign),
        store_path="task__store",
    ).annotate(
        credit_until=Coalesce(
            Subquery(next_call), Value(NO_LATER_CALL, output_field=DateTimeField())
        ),
        # Past every credited day, whatever the hour of the call: a time range an index
        # serves, before the exact test of the day.
        credit_horizon=ExpressionWrapper(F("at") + days_after, output_field=DateTimeField()),
        last_credited_day=ExpressionWrapper(
            TruncDate("at") + ONE_DAY * assessment.parameters.conversion_days,
            output_field=DateField(),
        ),
    )
    in_store = _in_store_purchases(campaign.brand).filter(
        member_id=OuterRef("task__member__card_no")
    )
    presale = _presale_purchases().filter(buyer_phone=OuterRef("task__member__phone"))
    return calls.annotate(
        credited_sales=_credited_sum(in_store, group="member", amount="amount", moment="sold_at")
        + _credited_sum(presale, group="buyer_phone", amount="net_amount", moment="paid_at")
    )


def _credited_sum(purchases: QuerySet, *, group: str, amount: str, moment: str) -> Coalesce:
    """The member's purchases that fall to the outer call: after it and before the credit
    horizon (a range an index serves), then, inside the sum, not after the member's next
    connected call and on a credited day, so the next call is looked up only for the
    member's own purchases."""
    credited = Q(
        **{f"{moment}__lte": OuterRef("credit_until"), "day__lte": OuterRef("last_credited_day")}
    )
    rows = (
        purchases.filter(
            **{f"{moment}__gt": OuterRef("at"), f"{moment}__lt": OuterRef("credit_horizon")}
        )
        .annotate(day=TruncDate(moment))
        .values(group)
        .annotate(total=Sum(amount, filter=credited))
        .values("total")[:1]
    )
    return Coalesce(Subquery(rows), ZERO)


def _effect_sums() -> dict:
    converted = Q(credited_sales__gt=0)
    return {
        "calls": Count("pk"),
        "reached_members": Count("task__member", distinct=True),
        "converted_members": Count("task__member", distinct=True, filter=converted),
        "converted_sales": Coalesce(Sum("credited_sales", filter=converted), ZERO),
    }


def _comparison_period(assessment: Assessment) -> tuple[datetime.datetime, datetime.datetime]:
    campaign = assessment.campaign
    last = campaign.callbacks_end + ONE_DAY * assessment.parameters.conversion_days
    return local_day_range(campaign.callbacks_start, last)


def not_reached_members(user, assessment: Assessment) -> QuerySet[CallbackTask]:
    """The audience never reached by phone, each marked with whether they bought the brand
    in the comparison period anyway."""
    campaign = assessment.campaign
    start, end = _comparison_period(assessment)
    reached = CallbackAttempt.objects.filter(_connected(), task=OuterRef("pk"))
    in_store = _in_store_purchases(campaign.brand).filter(
        member_id=OuterRef("member__card_no"),
        sold_at__gte=start,
        sold_at__lt=end,
    )
    presale = _presale_purchases().filter(
        buyer_phone=OuterRef("member__phone"), paid_at__gte=start, paid_at__lt=end
    )
    return (
        restrict(user, CallbackTask.objects.filter(campaign=campaign), store_path="store")
        .annotate(reached=Exists(reached))
        .filter(reached=False)
        .annotate(bought_in_store=Exists(in_store), bought_presale=Exists(presale))
    )


def _comparison_sums() -> dict:
    return {
        "members": Count("pk"),
        "bought": Count("pk", filter=Q(bought_in_store=True) | Q(bought_presale=True)),
    }


@dataclass(frozen=True)
class CallbackEffect:
    calls: int = 0
    reached_members: int = 0
    converted_members: int = 0
    converted_sales: Decimal = ZERO
    comparison_members: int = 0
    comparison_bought: int = 0

    @property
    def conversion_rate(self) -> Decimal | None:
        if not self.reached_members:
            return None
        return Decimal(self.converted_members) / self.reached_members

    @property
    def comparison_rate(self) -> Decimal | None:
        if not self.comparison_members:
            return None
        return Decimal(self.comparison_bought) / self.comparison_members

    @property
    def lift(self) -> Decimal | None:
        """Conversion rate minus the not-reached members' buying rate, in rate points."""
        if self.conversion_rate is None or self.comparison_rate is None:
            return None
        return self.conversion_rate - self.comparison_rate


def _effect(called: dict | None, comparison: dict | None) -> CallbackEffect:
    called, comparison = called or {}, comparison or {}
    return CallbackEffect(
        calls=called.get("calls", 0),
        reached_members=called.get("reached_members", 0),
        converted_members=called.get("converted_members", 0),
        converted_sales=called.get("converted_sales") or ZERO,
        comparison_members=comparison.get("members", 0),
        comparison_bought=comparison.get("bought", 0),
    )


@dataclass(frozen=True)
class EffectLine:
    """A staff member's, store's or region's callback effect; a staff member is compared
    with their store's members not reached."""

    key: str
    name: str
    store_id: int | None
    region_name: str
    effect: CallbackEffect


def total_effect(user, assessment: Assessment) -> CallbackEffect:
    return _effect(
        credited_calls(user, assessment).aggregate(**_effect_sums()),
        not_reached_members(user, assessment).aggregate(**_comparison_sums()),
    )


def region_effect(user, assessment: Assessment) -> list[EffectLine]:
    if scope_of(user).level not in {Level.REGION, Level.CHAIN}:
        return []
    group = "task__store__region"
    called = {
        row[group]: row
        for row in credited_calls(user, assessment).values(group).annotate(**_effect_sums())
    }
    comparison = {
        row["store__region"]: row
        for row in not_reached_members(user, assessment)
        .values("store__region")
        .annotate(**_comparison_sums())
    }
    return [
        EffectLine(
            str(region.pk),
            region.name,
            None,
            region.name,
            _effect(called.get(region.pk), comparison.get(region.pk)),
        )
        for region in regions_visible(user).order_by("name")
    ]


def store_effect_rows(user, assessment: Assessment) -> QuerySet:
    """Per store with connected calls, most converted sales first; paginate it, then turn
    a page into lines with `effect_lines_of_stores`."""
    return (
        credited_calls(user, assessment)
        .values(
            store=F("task__store"),
            store_no=F("task__store__store_id"),
            store_name=F("task__store__name"),
            region_name=F("task__store__region__name"),
        )
        .annotate(**_effect_sums())
        .order_by("-converted_sales", "store_no")
    )


def staff_effect_rows(user, assessment: Assessment) -> QuerySet:
    """Per staff member who made connected calls, most converted sales first."""
    return (
        credited_calls(user, assessment)
        .values(
            staff_key=F("staff"),
            staff_no=F("staff__staff_no"),
            staff_name=F("staff__name"),
            store=F("task__store"),
            store_no=F("task__store__store_id"),
            region_name=F("task__store__region__name"),
        )
        .annotate(**_effect_sums())
        .order_by("-converted_sales", "staff_no", "store_no")
    )


def _comparison_by_store(user, assessment: Assessment, rows) -> dict[int, dict]:
    stores = {row["store"] for row in rows}
    return {
        row["store"]: row
        for row in not_reached_members(user, assessment)
        .filter(store__in=stores)
        .values("store")
        .annotate(**_comparison_sums())
    }


def effect_lines_of_stores(user, assessment: Assessment, rows) -> list[EffectLine]:
    """Lines of a page of `store_effect_rows`, with their stores' comparison groups (one
    more query, whatever the page size)."""
    rows = list(rows)
    comparison = _comparison_by_store(user, assessment, rows)
    return [
        EffectLine(
            str(row["store_no"]),
            row["store_name"],
            row["store_no"],
            row["region_name"],
            _effect(row, comparison.get(row["store"])),
        )
        for row in rows
    ]


def effect_lines_of_staff(user, assessment: Assessment, rows) -> list[EffectLine]:
    rows = list(rows)
    comparison = _comparison_by_store(user, assessment, rows)
    return [
        EffectLine(
            row["staff_no"],
            row["staff_name"],
            row["store_no"],
            row["region_name"],
            _effect(row, comparison.get(row["store"])),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class HourRate:
    hour: int
    calls: int
    connected: int

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.connected) / self.calls if self.calls else None

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00–{self.hour + 1:02d}:00"


def call_hours(user, campaign: Campaign) -> list[HourRate]:
    """Phone attempts and connected ones by hour of the day (Asia/Shanghai), for the hours
    anyone called in."""
    rows = (
        restrict(
            user,
            CallbackAttempt.objects.filter(task__campaign=campaign, channel=Channel.PHONE),
            store_path="task__store",
        )
        .annotate(hour=ExtractHour("at"))
        .values("hour")
        .annotate(calls=Count("pk"), connected=Count("pk", filter=Q(outcome=Outcome.REACHED)))
        .order_by("hour")
    )
    return [HourRate(row["hour"], row["calls"], row["connected"]) for row in rows]


def best_hours(hours: list[HourRate]) -> list[HourRate]:
    """The hours with the highest connected-call rate, among those with enough calls to
    tell; a tie goes to the hour with more calls, then the earlier hour."""
    enough = [hour for hour in hours if hour.calls >= BEST_HOUR_MINIMUM_CALLS]
    ranked = sorted(enough, key=lambda hour: (-hour.rate, -hour.calls, hour.hour))
    return ranked[:BEST_HOURS_SHOWN]
