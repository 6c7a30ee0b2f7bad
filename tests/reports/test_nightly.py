"""The nightly snapshots (issue 6, item 1): figures, ranks with their tie-breaks, zero
stores on exactly their days, and re-runs after a late refund."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Campaign, Target
from members.models import SaleLine
from presale.models import YouzanOrder
from reports.models import NightlyReport, RegionDay, StaffDay, StoreDay
from reports.services import nightly_run
from tests.factories import RegionFactory, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db

FIRST, SECOND = datetime.date(2022, 10, 25), datetime.date(2022, 10, 26)
NUMBERS = itertools.count(1)


def at(day: datetime.date, clock: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(clock)))


def order(store, paid_at, amount, refunded="0", staff=None) -> YouzanOrder:
    return YouzanOrder.objects.create(
        order_no=f"E{next(NUMBERS):06d}",
        status="已完成",
        paid_at=paid_at,
        paid_amount=Decimal(amount),
        refunded_amount=Decimal(refunded),
        store=store,
        registered_staff=staff,
    )


def pos_line(store, sold_at, amount, receipt_no, **extra) -> SaleLine:
    return SaleLine.objects.create(
        receipt_no=receipt_no,
        line_no=1,
        sold_at=sold_at,
        store=store,
        product_code="P1",
        product_name="特护霜",
        brand="薇诺娜",
        qty=1,
        amount=Decimal(amount),
        **extra,
    )


@pytest.fixture
def chain():
    """Two regions; stores 307 and 308 tie on sales, 308 reached its figure first."""
    campaign = Campaign.objects.create(
        code="WINONA-2022-D11",
        name="薇诺娜双十一预售",
        brand="薇诺娜",
        callbacks_start=datetime.date(2022, 10, 10),
        callbacks_end=datetime.date(2022, 10, 23),
        presale_start=FIRST,
        presale_end=datetime.date(2022, 11, 15),
        per_member_target=Decimal("200.00"),
        presale_share=Decimal("0.80"),
    )
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    s307, s308 = StoreFactory(store_id=307, region=north), StoreFactory(store_id=308, region=north)
    s512 = StoreFactory(store_id=512, region=west)
    clerk = StaffFactory(store=s307, staff_no="S30702")
    for store, amount in ((s307, "20000.00"), (s308, "10000.00"), (s512, "5000.00")):
        Target.objects.create(
            campaign=campaign, level="store", store=store, amount=amount, source="document"
        )
    Target.objects.create(
        campaign=campaign, level="region", region=north, amount="30000.00", source="document"
    )
    order(s307, at(FIRST, "10:05"), "1598.00", staff=clerk)
    order(s308, at(FIRST, "09:40"), "1000.00")
    order(s308, at(FIRST, "09:50"), "598.00")
    pos_line(s512, at(FIRST, "15:00"), "300.00", "R1")
    pos_line(
        s512, at(FIRST, "16:00"), "1598.00", "R2", channel="有赞小程序", external_order_no="E9"
    )
    order(s512, at(SECOND, "11:00"), "698.00")
    return campaign


def snapshot(model, day, **holder):
    return model.objects.get(day=day, **holder)


def test_store_figures_ranks_and_zero_stores(chain):
    result = nightly_run(campaign=chain, day=FIRST)
    assert (result.stores, result.regions, result.staff, result.zero_stores) == (3, 2, 1, 1)

    s307 = snapshot(StoreDay, FIRST, store__store_id=307)
    s308 = snapshot(StoreDay, FIRST, store__store_id=308)
    s512 = snapshot(StoreDay, FIRST, store__store_id=512)
    assert (s307.presale_amount, s307.presale_orders, s307.sales_to_date) == (
        Decimal("1598.00"),
        1,
        Decimal("1598.00"),
    )
    assert s307.completion == Decimal("0.0799")
    # Equal sales: 308 reached 1,598.00 at 09:50, before 307 at 10:05.
    assert (s308.rank, s307.rank, s512.rank) == (1, 2, 3)
    assert (s308.region_rank, s307.region_rank, s512.region_rank) == (1, 2, 1)
    # In-store POS sales count, the booked presale order (有赞小程序) does not.
    assert (s512.presale_amount, s512.sales_to_date, s512.zero_store) == (
        Decimal("0.00"),
        Decimal("300.00"),
        True,
    )
    north = snapshot(RegionDay, FIRST, region__name="北门片")
    assert (north.sales_to_date, north.target, north.rank, north.zero_stores) == (
        Decimal("3196.00"),
        Decimal("30000.00"),
        1,
        0,
    )
    clerk = snapshot(StaffDay, FIRST, staff__staff_no="S30702")
    assert (clerk.presale_to_date, clerk.rank) == (Decimal("1598.00"), 1)

    nightly_run(campaign=chain, day=SECOND)
    assert not snapshot(StoreDay, SECOND, store__store_id=512).zero_store
    assert snapshot(StoreDay, SECOND, store__store_id=307).zero_store
    assert snapshot(StoreDay, SECOND, store__store_id=512).sales_to_date == Decimal("998.00")
    before_presale = chain.presale_start - datetime.timedelta(days=1)
    nightly_run(campaign=chain, day=before_presale)
    assert not StoreDay.objects.filter(day=before_presale, zero_store=True).exists()


def test_a_rerun_after_a_late_refund_changes_that_day_and_nothing_else(chain):
    call_command(
        "nightly", "--date", "2022-10-25", "--campaign", "WINONA-2022-D11", "--snapshots-only"
    )
    call_command(
        "nightly", "--date", "2022-10-26", "--campaign", "WINONA-2022-D11", "--snapshots-only"
    )
    second_day = list(StoreDay.objects.filter(day=SECOND).values().order_by("store_id"))
    first_rows = StoreDay.objects.filter(day=FIRST).count()

    YouzanOrder.objects.filter(store__store_id=307).update(refunded_amount=Decimal("598.00"))
    call_command(
        "nightly", "--date", "2022-10-25", "--campaign", "WINONA-2022-D11", "--snapshots-only"
    )

    s307 = snapshot(StoreDay, FIRST, store__store_id=307)
    assert s307.presale_amount == Decimal("1000.00")
    assert (s307.rank, snapshot(StoreDay, FIRST, store__store_id=308).rank) == (2, 1)
    assert StoreDay.objects.filter(day=FIRST).count() == first_rows
    assert list(StoreDay.objects.filter(day=SECOND).values().order_by("store_id")) == second_day


def test_the_command_publishes_the_days_report_like_the_beat_job(chain):
    call_command("nightly", "--date", "2022-10-25", "--campaign", "WINONA-2022-D11")
    assert NightlyReport.objects.filter(campaign=chain, day=FIRST).exists()
