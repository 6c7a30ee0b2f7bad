"""The nightly job: each store's, region's and staff member's campaign figures at the end of
a day, written as snapshot rows that pages read (rules.md §3, §4, §6). Every fact is one
grouped query over the whole chain; running a day again replaces exactly that day's rows."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from callbacks.models import CallbackTask
from campaigns.models import Campaign, Target
from common.dates import local_day_range
from members.models import SaleLine
from presale.models import YouzanOrder
from reports.models import RegionDay, StaffDay, StoreDay
from stores.models import STORE_ROLES, Region, Staff, Store

BOOKED_PRESALE_CHANNEL = "有赞小程序"
ZERO = Decimal("0.00")


@dataclass
class NightlyResult:
    stores: int
    regions: int
    staff: int
    zero_stores: int


@dataclass
class _Figures:
    presale_amount: Decimal = ZERO
    presale_orders: int = 0
    presale_to_date: Decimal = ZERO
    sales_to_date: Decimal = ZERO
    reached_at: datetime.datetime | None = None
    callbacks_today: int = 0
    callbacks_to_date: int = 0
    audience: int = 0

    def reach(self, moment: datetime.datetime | None) -> None:
        if moment is not None and (self.reached_at is None or moment > self.reached_at):
            self.reached_at = moment


def _ranked(rows, key_id) -> None:
    """Rank by to-date sales, a tie going to the earlier time it was reached, then the id."""
    never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    ordered = sorted(
        rows, key=lambda row: (-row.sales_to_date, row.reached_at or never, key_id(row))
    )
    for position, row in enumerate(ordered, start=1):
        row.rank = position


def _presale_facts(campaign: Campaign, day_start, day_end, group: str):
    presale_start, presale_end = campaign.presale_period
    orders = YouzanOrder.objects.filter(
        paid_at__gte=presale_start, paid_at__lt=min(day_end, presale_end)
    ).exclude(**{f"{group}__isnull": True})
    today = Q(paid_at__gte=day_start)
    return orders.values(group).annotate(
        amount=Sum("net_amount", filter=today),
        orders=Count("pk", filter=today),
        to_date=Sum("net_amount"),
        last=Max("paid_at"),
    )


def _figures_of_stores(campaign: Campaign, day: datetime.date) -> dict[int, _Figures]:
    day_start, day_end = local_day_range(day)
    presale_start, presale_end = campaign.presale_period
    figures: dict[int, _Figures] = defaultdict(_Figures)
    for row in _presale_facts(campaign, day_start, day_end, "store"):
        facts = figures[row["store"]]
        facts.presale_amount = row["amount"] or ZERO
        facts.presale_orders = row["orders"]
        facts.presale_to_date = row["to_date"] or ZERO
        facts.reach(row["last"])
    in_store = (
        SaleLine.objects.filter(
            brand=campaign.brand,
            sold_at__gte=presale_start,
            sold_at__lt=min(day_end, presale_end),
        )
        .exclude(channel=BOOKED_PRESALE_CHANNEL)
        .values("store")
        .annotate(total=Sum("amount"), last=Max("sold_at"))
    )
    in_store_totals = {}
    for row in in_store:
        in_store_totals[row["store"]] = row["total"] or ZERO
        figures[row["store"]].reach(row["last"])
    tasks = (
        CallbackTask.objects.filter(campaign=campaign)
        .values("store")
        .annotate(
            audience=Count("pk"),
            done_to_date=Count("pk", filter=Q(done_at__lt=day_end)),
            done_today=Count("pk", filter=Q(done_at__gte=day_start, done_at__lt=day_end)),
        )
    )
    for row in tasks:
        facts = figures[row["store"]]
        facts.audience = row["audience"]
        facts.callbacks_to_date = row["done_to_date"]
        facts.callbacks_today = row["done_today"]
    for store_pk, facts in figures.items():
        facts.sales_to_date = facts.presale_to_date + in_store_totals.get(store_pk, ZERO)
    return figures


def _targets(campaign: Campaign, level: str, holder: str) -> dict[int, Decimal]:
    rows = Target.objects.filter(campaign=campaign, level=level).values_list(holder, "amount")
    return dict(rows)


@transaction.atomic
def nightly_run(*, campaign: Campaign, day: datetime.date) -> NightlyResult:
    """Write the day's snapshots of every store, region and store staff member."""
    in_presale = campaign.presale_start <= day <= campaign.presale_end
    store_figures = _figures_of_stores(campaign, day)
    store_targets = _targets(campaign, Target.Level.STORE, "store_id")
    stores = list(Store.objects.filter(active=True).select_related("region"))
    store_rows = []
    for store in stores:
        facts = store_figures.get(store.pk, _Figures())
        store_rows.append(
            StoreDay(
                campaign=campaign,
                day=day,
                store=store,
                presale_amount=facts.presale_amount,
                presale_orders=facts.presale_orders,
                presale_to_date=facts.presale_to_date,
                sales_to_date=facts.sales_to_date,
                target=store_targets.get(store.pk, ZERO),
                callbacks_today=facts.callbacks_today,
                callbacks_to_date=facts.callbacks_to_date,
                audience=facts.audience,
                reached_at=facts.reached_at,
                zero_store=in_presale and facts.presale_amount == 0,
                rank=0,
                region_rank=0,
            )
        )
    _ranked(store_rows, lambda row: row.store.store_id)
    by_region: dict[int, list[StoreDay]] = defaultdict(list)
    for row in store_rows:
        by_region[row.store.region_id].append(row)
    for rows in by_region.values():
        ordered = sorted(rows, key=lambda row: row.rank)
        for position, row in enumerate(ordered, start=1):
            row.region_rank = position

    region_targets = _targets(campaign, Target.Level.REGION, "region_id")
    region_rows = []
    for region in Region.objects.filter(pk__in=by_region):
        rows = by_region[region.pk]
        snapshot = RegionDay(
            campaign=campaign,
            day=day,
            region=region,
            rank=0,
            presale_amount=sum((r.presale_amount for r in rows), ZERO),
            presale_orders=sum(r.presale_orders for r in rows),
            presale_to_date=sum((r.presale_to_date for r in rows), ZERO),
            sales_to_date=sum((r.sales_to_date for r in rows), ZERO),
            target=region_targets.get(region.pk, ZERO),
            callbacks_today=sum(r.callbacks_today for r in rows),
            callbacks_to_date=sum(r.callbacks_to_date for r in rows),
            audience=sum(r.audience for r in rows),
            zero_stores=sum(1 for r in rows if r.zero_store),
            reached_at=max((r.reached_at for r in rows if r.reached_at), default=None),
        )
        region_rows.append(snapshot)
    _ranked(region_rows, lambda row: row.region.name)

    staff_rows = _staff_rows(campaign, day)
    for model in (StoreDay, RegionDay, StaffDay):
        model.objects.filter(campaign=campaign, day=day).delete()
    StoreDay.objects.bulk_create(store_rows, batch_size=2000)
    RegionDay.objects.bulk_create(region_rows, batch_size=2000)
    StaffDay.objects.bulk_create(staff_rows, batch_size=2000)
    return NightlyResult(
        stores=len(store_rows),
        regions=len(region_rows),
        staff=len(staff_rows),
        zero_stores=sum(1 for row in store_rows if row.zero_store),
    )


def _staff_rows(campaign: Campaign, day: datetime.date) -> list[StaffDay]:
    """Staff figures: presale registered to them, and the callbacks they completed."""
    day_start, day_end = local_day_range(day)
    presale = {
        row["registered_staff"]: row
        for row in _presale_facts(campaign, day_start, day_end, "registered_staff")
    }
    calls = {
        row["done_by"]: row
        for row in CallbackTask.objects.filter(campaign=campaign, done_by__isnull=False)
        .values("done_by")
        .annotate(
            to_date=Count("pk", filter=Q(done_at__lt=day_end)),
            today=Count("pk", filter=Q(done_at__gte=day_start, done_at__lt=day_end)),
        )
    }
    targets = _targets(campaign, Target.Level.STAFF, "staff_id")
    rows = []
    for person in Staff.objects.filter(active=True, role__in=STORE_ROLES, store__active=True):
        sold = presale.get(person.pk, {})
        called = calls.get(person.pk, {})
        to_date = sold.get("to_date") or ZERO
        rows.append(
            StaffDay(
                campaign=campaign,
                day=day,
                staff=person,
                store_id=person.store_id,
                rank=0,
                presale_amount=sold.get("amount") or ZERO,
                presale_orders=sold.get("orders", 0),
                presale_to_date=to_date,
                sales_to_date=to_date,
                target=targets.get(person.pk, ZERO),
                reached_at=sold.get("last"),
                callbacks_today=called.get("today", 0),
                callbacks_to_date=called.get("to_date", 0),
                quota=campaign.daily_quota,
            )
        )
    _ranked(rows, lambda row: row.staff.staff_no)
    return rows
