"""Leaderboards (issue 6, items 2 and 4): regions, stores and staff ranked for one day of a
campaign, read from the nightly snapshots and narrowed through the access functions. Every
reader here is a fixed number of queries, whatever the number of stores."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from campaigns.models import Campaign
from common.errors import NotFound, ServiceError
from presale.daily import penalties_visible, presale_days
from reports.models import RegionDay, StaffDay, StoreDay
from stores.access import Level, regions_visible, restrict, scope_of
from stores.models import Region, Store

ONE_DAY = datetime.timedelta(days=1)
TENTH = Decimal("0.1")

# ?sort= values a table accepts, each with its ordering; the rank breaks every tie.
SORTS = {
    "rank": ("rank",),
    "amount": ("-presale_amount", "rank"),
    "callbacks": ("-callbacks_today", "rank"),
    "zero": ("-zero_days", "rank"),
}
SORT_LABELS = {
    "rank": "按排名",
    "amount": "按当日预售",
    "callbacks": "按当日回访",
    "zero": "按挂0天数",
}


def sort_key(value: str | None) -> str:
    return value if value in SORTS else "rank"


def percent_of(ratio: Decimal | None) -> Decimal | None:
    """0.935 → 93.5 (one decimal, half up)."""
    if ratio is None:
        return None
    return (ratio * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def rate_text(ratio: Decimal | None, *, whole: bool = False) -> str:
    """93.5% (a goal such as 80% as a whole number when it is one); no target as —."""
    value = percent_of(ratio)
    if value is None:
        return "—"
    if whole and value == value.to_integral():
        return f"{value.to_integral()}%"
    return f"{value}%"


@dataclass(frozen=True)
class BoardLine:
    """One row of a leaderboard table, as the page shows it and the export writes it."""

    snapshot: StoreDay | RegionDay | StaffDay
    rank: int
    previous_rank: int | None
    callbacks_quota: int
    zero_days: int | None
    presale_share_goal: Decimal

    @property
    def completion_percent(self) -> Decimal | None:
        return percent_of(self.snapshot.completion)

    @property
    def completion_text(self) -> str:
        return rate_text(self.snapshot.completion)

    @property
    def bar_width(self) -> Decimal:
        return min(Decimal(100), self.completion_percent or Decimal(0))

    @property
    def presale_share_text(self) -> str:
        goal = rate_text(self.presale_share_goal, whole=True)
        return f"{rate_text(self.snapshot.presale_share)} / 目标 {goal}"

    @property
    def presale_share_reached(self) -> bool:
        share = self.snapshot.presale_share
        return share is not None and share >= self.presale_share_goal

    @property
    def rank_change(self) -> int | None:
        """Places gained since the day before (negative: lost); None without a day before."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def rank_change_size(self) -> int:
        return abs(self.rank_change or 0)


def campaign_window(campaign: Campaign) -> tuple[datetime.date, datetime.date]:
    start = min(campaign.callbacks_start, campaign.presale_start)
    end = max(campaign.presale_end, campaign.booking_end or campaign.presale_end)
    return start, end


def latest_snapshot_day(campaign: Campaign) -> datetime.date | None:
    return StoreDay.objects.filter(campaign=campaign).aggregate(latest=Max("day"))["latest"]


def snapshot_generation(campaign: Campaign, day: datetime.date, region: Region) -> int | None:
    """Which nightly run wrote the region's snapshots of the day: every run deletes and
    inserts the day's rows, so the id of the region's row changes with each run and a
    page cached under it is never served after a re-run."""
    return (
        RegionDay.objects.filter(campaign=campaign, day=day, region=region)
        .values_list("pk", flat=True)
        .first()
    )


def board_day(campaign: Campaign, chosen: str | None) -> datetime.date | None:
    """The ?day= asked for, checked against the campaign's dates; else the latest snapshot."""
    if not chosen:
        return latest_snapshot_day(campaign)
    try:
        day = datetime.date.fromisoformat(chosen)
    except ValueError as error:
        raise ServiceError("日期格式应为 2022-10-25。", field="day") from error
    start, end = campaign_window(campaign)
    if not start <= day <= end:
        raise ServiceError(
            f"请选择活动期内的日期（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）。", field="day"
        )
    return day


def _count_of(queryset: QuerySet, group: str) -> Coalesce:
    return Coalesce(Subquery(queryset.values(group).annotate(n=Count("pk")).values("n")), 0)


def _sum_of(queryset: QuerySet, group: str, field: str) -> Coalesce:
    return Coalesce(Subquery(queryset.values(group).annotate(n=Sum(field)).values("n")), 0)


def store_board(
    user, campaign: Campaign, day: datetime.date, *, region: Region | None = None, sort="rank"
) -> QuerySet[StoreDay]:
    """The day's store snapshots the user may see, with the staff's callback quota, the
    zero-store days so far and the rank of the day before (within the region when given)."""
    rows = restrict(
        user, StoreDay.objects.filter(campaign=campaign, day=day), store_path="store"
    ).select_related("store__region")
    if region is not None:
        rows = rows.filter(store__region=region)
    same_store = StoreDay.objects.filter(campaign=campaign, store=OuterRef("store"))
    staff = StaffDay.objects.filter(campaign=campaign, day=day, store=OuterRef("store"))
    rank_field = "region_rank" if region is not None else "rank"
    return rows.annotate(
        zero_days=_count_of(same_store.filter(day__lte=day, zero_store=True), "store"),
        callbacks_quota=_sum_of(staff, "store", "quota"),
        previous_rank=Subquery(same_store.filter(day=day - ONE_DAY).values(rank_field)[:1]),
    ).order_by(*SORTS[sort_key(sort)], "pk")


def region_board(user, campaign: Campaign, day: datetime.date, *, sort="rank"):
    same_region = RegionDay.objects.filter(campaign=campaign, region=OuterRef("region"))
    staff = StaffDay.objects.filter(campaign=campaign, day=day, store__region=OuterRef("region"))
    return (
        RegionDay.objects.filter(campaign=campaign, day=day, region__in=regions_visible(user))
        .select_related("region__lead")
        .annotate(
            zero_days=_sum_of(same_region.filter(day__lte=day), "region", "zero_stores"),
            callbacks_quota=_sum_of(staff, "campaign", "quota"),
            previous_rank=Subquery(same_region.filter(day=day - ONE_DAY).values("rank")[:1]),
        )
        .order_by(*SORTS[sort_key(sort)], "pk")
    )


def staff_board(
    user,
    campaign: Campaign,
    day: datetime.date,
    *,
    region: Region | None = None,
    store: Store | None = None,
    sort="rank",
) -> QuerySet[StaffDay]:
    rows = restrict(
        user, StaffDay.objects.filter(campaign=campaign, day=day), store_path="store"
    ).select_related("staff", "store")
    if region is not None:
        rows = rows.filter(store__region=region)
    if store is not None:
        rows = rows.filter(store=store)
    same_staff = StaffDay.objects.filter(campaign=campaign, staff=OuterRef("staff"))
    # Staff have no zero days of their own, so that sort falls back to the rank.
    ordering = SORTS[sort_key(sort)] if sort != "zero" else SORTS["rank"]
    return rows.annotate(
        previous_rank=Subquery(same_staff.filter(day=day - ONE_DAY).values("rank")[:1]),
    ).order_by(*ordering, "pk")


def board_line(row, campaign: Campaign, *, rank_field: str = "rank") -> BoardLine:
    return BoardLine(
        snapshot=row,
        rank=getattr(row, rank_field),
        previous_rank=row.previous_rank,
        callbacks_quota=getattr(row, "callbacks_quota", None) or getattr(row, "quota", 0),
        zero_days=getattr(row, "zero_days", None),
        presale_share_goal=campaign.presale_share,
    )


def board_lines(rows, campaign: Campaign, *, rank_field: str = "rank") -> list[BoardLine]:
    return [board_line(row, campaign, rank_field=rank_field) for row in rows]


def zero_stores_of_day(user, campaign: Campaign, day: datetime.date, region: Region):
    return store_board(user, campaign, day, region=region).filter(zero_store=True)


def penalties_open(user, campaign: Campaign, day: datetime.date, region: Region):
    """Penalties of the region up to `day` with neither evidence nor an exemption yet."""
    return (
        penalties_visible(user)
        .filter(campaign=campaign, store__region=region, zero_day__lte=day)
        .filter(evidence="", exemption_reason="")
        .order_by("zero_day", "store__store_id", "staff__staff_no")
    )


def leaderboard_region(user, region_pk: int) -> Region:
    """A region's leaderboard is for its 片长 and for the chain; anyone else gets 404, so a
    URL never tells whether another region exists."""
    scope = scope_of(user)
    region = None
    if scope.level in {Level.REGION, Level.CHAIN}:
        region = regions_visible(user).filter(pk=region_pk).select_related("lead").first()
    if region is None:
        raise NotFound("找不到该片区。")
    return region


@dataclass(frozen=True)
class ChartBar:
    day: datetime.date
    amount: Decimal
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class PaceChart:
    """The region's daily presale as bars, against the daily amount still needed to reach
    the presale target (remaining target / remaining days) as a line."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    bar_width: float
    bars: list[ChartBar]
    pace_points: str
    ticks: list[tuple[float, Decimal]]
    day_labels: list[tuple[float, str]]
    presale_target: Decimal
    presale_to_date: Decimal
    pace_now: Decimal | None
    days_left: int
    share_text: str


def pace_chart(campaign: Campaign, region: Region, day: datetime.date) -> PaceChart:
    snapshots = {
        row.day: row
        for row in RegionDay.objects.filter(
            campaign=campaign, region=region, day__lte=day, day__gte=campaign.presale_start
        ).only("day", "presale_amount", "presale_to_date", "target")
    }
    days = presale_days(campaign)
    latest = snapshots.get(day) or (snapshots[max(snapshots)] if snapshots else None)
    target = latest.target if latest else Decimal(0)
    presale_target = (target * campaign.presale_share).quantize(Decimal("0.01"))
    paces: list[Decimal] = []
    to_date = Decimal(0)
    for index, each in enumerate(days):
        remaining_days = len(days) - index
        if each > day:
            # After the chosen day the pace stays what it was needed from the next day on.
            paces.append(max(Decimal(0), presale_target - to_date) / remaining_days)
            paces.extend([paces[-1]] * (remaining_days - 1))
            break
        paces.append(max(Decimal(0), presale_target - to_date) / remaining_days)
        if each in snapshots:
            to_date = snapshots[each].presale_to_date
    amounts = [snapshots[each].presale_amount if each in snapshots else None for each in days]
    days_left = sum(1 for each in days if each > day)
    pace_now = max(Decimal(0), presale_target - to_date) / days_left if days_left else None

    width, height, left, top, bottom = 640, 250, 72, 16, 214
    peak = max([*(a for a in amounts if a is not None), *paces, Decimal(1)])
    slot = (width - left - 8) / max(len(days), 1)

    def y_of(value: Decimal) -> float:
        return round(bottom - float(value / peak) * (bottom - top), 1)

    bars = [
        ChartBar(each, amount, round(left + index * slot + slot * 0.15, 1), y_of(amount), 0)
        for index, (each, amount) in enumerate(zip(days, amounts, strict=True))
        if amount is not None
    ]
    bars = [ChartBar(bar.day, bar.amount, bar.x, bar.y, round(bottom - bar.y, 1)) for bar in bars]
    points = " ".join(
        f"{round(left + index * slot + slot / 2, 1)},{y_of(pace)}"
        for index, pace in enumerate(paces)
    )
    ticks = [
        (y_of(peak * share), (peak * share).quantize(Decimal(1)))
        for share in (Decimal(0), Decimal("0.5"), Decimal(1))
    ]
    label_every = max(1, len(days) // 4)
    day_labels = [
        (round(left + index * slot + slot / 2, 1), f"{each.month}/{each.day}")
        for index, each in enumerate(days)
        if index % label_every == 0
    ]
    return PaceChart(
        width=width,
        height=height,
        plot_top=top,
        plot_bottom=bottom,
        plot_left=left,
        bar_width=round(slot * 0.7, 1),
        bars=bars,
        pace_points=points,
        ticks=ticks,
        day_labels=day_labels,
        presale_target=presale_target,
        presale_to_date=to_date,
        pace_now=pace_now.quantize(Decimal("0.01")) if pace_now is not None else None,
        days_left=days_left,
        share_text=rate_text(campaign.presale_share, whole=True),
    )


@dataclass(frozen=True)
class Standing:
    """A store staff member's own and their store's place on the day."""

    staff_line: BoardLine | None
    staff_total: int
    rank_in_store: int | None
    store_staff_total: int
    store_line: BoardLine | None
    store_total: int
    region_store_total: int


def my_standing(user, campaign: Campaign, day: datetime.date) -> Standing:
    scope = scope_of(user)
    if scope.level is not Level.STORE:
        raise NotFound("只有门店员工有个人排名。")
    staff, store = scope.staff, scope.staff.store
    mine = board_lines(staff_board(user, campaign, day).filter(staff=staff), campaign)
    store_rows = board_lines(store_board(user, campaign, day), campaign)
    store_staff = StaffDay.objects.filter(campaign=campaign, day=day, store=store)
    staff_line = mine[0] if mine else None
    chain_stores = StoreDay.objects.filter(campaign=campaign, day=day)
    return Standing(
        staff_line=staff_line,
        staff_total=StaffDay.objects.filter(campaign=campaign, day=day).count(),
        rank_in_store=(
            store_staff.filter(rank__lt=staff_line.rank).count() + 1 if staff_line else None
        ),
        store_staff_total=store_staff.count(),
        store_line=store_rows[0] if store_rows else None,
        store_total=chain_stores.count(),
        region_store_total=chain_stores.filter(store__region_id=store.region_id).count(),
    )
