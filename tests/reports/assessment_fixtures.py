"""A small chain whose promotion and callback figures the tests work out by hand."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from callbacks.models import CallbackAttempt, CallbackTask, Channel, Outcome
from campaigns.models import Campaign
from coupons.models import GiftHandout
from members.models import Member, SaleLine
from presale.models import YouzanOrder
from rewards.models import SettlementLine, SettlementRun
from stores.models import Role
from tests.coupons.factories import GiftFactory
from tests.factories import RegionFactory, StaffFactory, StoreFactory, region_lead_of

# The presale (campaign) window is 5 days; the 10 days before it are the baseline.
BASELINE_FIRST = datetime.date(2022, 10, 15)
CAMPAIGN_FIRST, CAMPAIGN_LAST = datetime.date(2022, 10, 25), datetime.date(2022, 10, 29)
NUMBERS = itertools.count(1)


def at(day: datetime.date, clock: str = "10:00") -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(clock)))


def day_of(first: datetime.date, offset: int) -> datetime.date:
    return first + datetime.timedelta(days=offset)


def sale(store, sold_at, amount, *, receipt=None, member=None, brand="薇诺娜", **extra):
    receipt = receipt or f"R{next(NUMBERS):06d}"
    line_no = SaleLine.objects.filter(receipt_no=receipt).count() + 1
    return SaleLine.objects.create(
        receipt_no=receipt,
        line_no=line_no,
        sold_at=sold_at,
        store=store,
        member=member,
        product_code="P1",
        product_name="舒敏保湿特护霜",
        brand=brand,
        qty=1,
        amount=Decimal(amount),
        **extra,
    )


def presale_order(store, paid_at, amount, *, phone="", refunded="0") -> YouzanOrder:
    return YouzanOrder.objects.create(
        order_no=f"E{next(NUMBERS):06d}",
        status="已完成",
        paid_at=paid_at,
        paid_amount=Decimal(amount),
        refunded_amount=Decimal(refunded),
        buyer_phone=phone,
        store=store,
    )


def call(task, staff, moment, *, channel=Channel.PHONE, outcome=Outcome.REACHED):
    return CallbackAttempt.objects.create(
        task=task, staff=staff, at=moment, channel=channel, outcome=outcome
    )


def make_campaign(**fields) -> Campaign:
    return Campaign.objects.create(
        **{
            "code": "WINONA-2022-D11",
            "name": "薇诺娜双十一预售",
            "brand": "薇诺娜",
            "callbacks_start": datetime.date(2022, 10, 10),
            "callbacks_end": datetime.date(2022, 10, 23),
            "presale_start": CAMPAIGN_FIRST,
            "presale_end": CAMPAIGN_LAST,
            "per_member_target": Decimal("200.00"),
            "presale_share": Decimal("0.80"),
            **fields,
        }
    )


@pytest.fixture
def shop():
    """Regions 北门片 (stores 307, 308) and 西门一片 (store 512), their people."""
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    stores = {
        307: StoreFactory(store_id=307, region=north, name="驷马桥店"),
        308: StoreFactory(store_id=308, region=north, name="荷花池店"),
        512: StoreFactory(store_id=512, region=west, name="青羊宫店"),
    }
    return {
        "north": north,
        "west": west,
        "stores": stores,
        "operations": StaffFactory(role=Role.OPERATIONS, store=None, staff_no="YY001"),
        "north_lead": region_lead_of(north, staff_no="P01", name="王片长"),
        "clerk_307": StaffFactory(store=stores[307], staff_no="S30702", name="李店员"),
        "clerk_307b": StaffFactory(store=stores[307], staff_no="S30703", name="赵店员"),
        "clerk_512": StaffFactory(store=stores[512], staff_no="S51201", name="陈店员"),
    }


@pytest.fixture
def promotion(shop):
    """Sales lines worked out by hand in test_assessment.py."""
    campaign = make_campaign()
    s307, s308, s512 = (shop["stores"][key] for key in (307, 308, 512))
    # 307 baseline: ten receipts of 100.00, one a day; the last at 23:30 on the day before.
    for offset in range(9):
        sale(s307, at(day_of(BASELINE_FIRST, offset)), "100.00")
    sale(s307, at(datetime.date(2022, 10, 24), "23:30"), "100.00")
    # 307 campaign: eight receipts of 150.00, the first at 00:10 on the first day, one of
    # two lines of 75.00 (one customer).
    sale(s307, at(CAMPAIGN_FIRST, "00:10"), "150.00")
    for offset in range(6):
        sale(s307, at(day_of(CAMPAIGN_FIRST, offset % 5), "15:00"), "150.00")
    sale(s307, at(CAMPAIGN_LAST, "18:00"), "75.00", receipt="R307-TWO")
    sale(s307, at(CAMPAIGN_LAST, "18:00"), "75.00", receipt="R307-TWO")
    # 308 baseline: twenty receipts of 100.00; campaign: fifteen of 120.00.
    for offset in range(20):
        sale(s308, at(day_of(BASELINE_FIRST, offset % 10), "11:00"), "100.00")
    for offset in range(15):
        sale(s308, at(day_of(CAMPAIGN_FIRST, offset % 5), "12:00"), "120.00")
    # 512: nothing before the campaign, one receipt of 500.00 in it.
    sale(s512, at(CAMPAIGN_FIRST, "16:00"), "500.00")
    # Left out: another brand, a booked presale order, the days outside both periods.
    sale(s307, at(CAMPAIGN_FIRST), "999.00", brand="雅漾")
    sale(s307, at(CAMPAIGN_FIRST), "1598.00", channel="有赞小程序", external_order_no="E9")
    sale(s307, at(datetime.date(2022, 10, 14), "23:59"), "888.00")
    sale(s308, at(datetime.date(2022, 10, 30), "00:00"), "777.00")
    return campaign


def member(store, phone: str, card_no: str) -> Member:
    return Member.objects.create(
        card_no=card_no, name=f"会员{card_no[-2:]}", phone=phone, store=store
    )


def task_of(campaign, store, person: Member) -> CallbackTask:
    return CallbackTask.objects.create(
        campaign=campaign, member=person, store=store, phone=person.phone
    )


def settlement(campaign, version: int, *, approved_by=None) -> SettlementRun:
    """A settlement version as the run stores it; approved when an approver is given."""
    approved = approved_by is not None
    return SettlementRun.objects.create(
        campaign=campaign,
        version=version,
        status=SettlementRun.Status.APPROVED if approved else SettlementRun.Status.DRAFT,
        computed_at=at(CAMPAIGN_LAST, "20:00"),
        approved_at=at(CAMPAIGN_LAST, "21:00") if approved else None,
        approved_by=approved_by,
    )


def settlement_line(run, amount, *, region, store=None, staff=None, direction="pay"):
    """A line held by a region (no store), a store, or a staff member (and their store)."""
    recipient_type = "staff" if staff else "store" if store else "region"
    recipient = staff.staff_no if staff else str(store.store_id) if store else region.name
    position = run.lines.count() + 1
    return SettlementLine.objects.create(
        run=run,
        position=position,
        kind="target_bonus",
        rule_number=1,
        recipient_type=recipient_type,
        recipient=recipient,
        region=region,
        store=store,
        staff=staff,
        direction=direction,
        amount=Decimal(amount),
        identity=f"{recipient_type}:{recipient}:{position}",
    )


def gift_handout(campaign, store, value, *, handler, second_handler) -> GiftHandout:
    return GiftHandout.objects.create(
        campaign=campaign,
        store=store,
        handed_on=CAMPAIGN_FIRST,
        receipt_no=f"G{next(NUMBERS):06d}",
        purchase_amount=Decimal("698.00"),
        gift=GiftFactory(),
        gift_value=Decimal(value),
        customer_confirmed=True,
        handler=handler,
        second_handler=second_handler,
    )
