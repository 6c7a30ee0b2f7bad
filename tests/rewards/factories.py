"""Facts for settlement tests: a campaign with the windows and rules of the formats.md
document, presale orders, POS lines and targets, all built the way the imports store them."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Campaign, Target
from members.models import SaleLine
from presale.models import YouzanOrder
from rewards.models import SettlementLine, SettlementRun
from rewards.services import settlement_run

PRESALE_FIRST, PRESALE_LAST = datetime.date(2022, 10, 25), datetime.date(2022, 11, 15)
BOOKING_FIRST = datetime.date(2022, 11, 16)
BRAND = "薇诺娜"
BOOKED_PRESALE_CHANNEL = "有赞小程序"

# The rules of the formats.md campaign document, by kind, exactly as the document gives them.
TARGET_BONUS = {"kind": "target_bonus", "level": "region", "rate": "0.005"}
REGION_SHORTFALL = {
    "kind": "shortfall_fund",
    "level": "region",
    "threshold": "0.80",
    "rate": "0.01",
}
STORE_SHORTFALL = {"kind": "shortfall_fund", "level": "store", "threshold": "1.00", "rate": "0.02"}
RECEIPT_TIER = {
    "kind": "receipt_tier",
    "tiers": [["698.00", "10.00"], ["1598.00", "30.00"], ["3198.00", "60.00"]],
}
DAILY_FIRST_ORDER = {"kind": "daily_first_order", "scope": "region", "amount": "10.00"}
DAILY_BIG_ORDER_RANK = {
    "kind": "daily_big_order_rank",
    "scope": "chain",
    "min_amount_exclusive": "1000.00",
    "prizes": ["50.00", "30.00", "20.00"],
}
STORE_BREAKTHROUGH = {
    "kind": "store_breakthrough",
    "tiers": [["50000.00", "500.00"], ["100000.00", "1000.00"], ["150000.00", "2000.00"]],
}
BOOKING_GAP = {"kind": "booking_gap", "booking_days": 3}
DOCUMENT_RULES = [
    TARGET_BONUS,
    REGION_SHORTFALL,
    STORE_SHORTFALL,
    RECEIPT_TIER,
    DAILY_FIRST_ORDER,
    DAILY_BIG_ORDER_RANK,
    STORE_BREAKTHROUGH,
    BOOKING_GAP,
]

NUMBERS = itertools.count(1)


def at(day: datetime.date, clock: str) -> datetime.datetime:
    """A local (Asia/Shanghai) moment of `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(clock)))


def campaign_with(*rules: dict, booking_first: datetime.date | None = BOOKING_FIRST) -> Campaign:
    return Campaign.objects.create(
        code=f"WINONA-2022-D11-{next(NUMBERS)}",
        name="薇诺娜双十一预售",
        brand=BRAND,
        callbacks_start=datetime.date(2022, 10, 10),
        callbacks_end=datetime.date(2022, 10, 23),
        presale_start=PRESALE_FIRST,
        presale_end=PRESALE_LAST,
        booking_start=booking_first,
        booking_end=booking_first and booking_first + datetime.timedelta(days=2),
        per_member_target=Decimal("200.00"),
        presale_share=Decimal("0.80"),
        rules=list(rules),
    )


def order(store, paid_at, amount, *, refunded="0", staff=None, status="已完成") -> YouzanOrder:
    return YouzanOrder.objects.create(
        order_no=f"E2022{next(NUMBERS):08d}",
        status=status,
        paid_at=paid_at,
        paid_amount=Decimal(amount),
        refunded_amount=Decimal(refunded),
        store=store,
        registered_staff=staff,
    )


def pos_line(
    store,
    sold_at,
    amount,
    *,
    brand=BRAND,
    channel="",
    external_order_no="",
    receipt_no=None,
    line_no=1,
) -> SaleLine:
    return SaleLine.objects.create(
        receipt_no=receipt_no or f"R{next(NUMBERS):08d}",
        line_no=line_no,
        sold_at=sold_at,
        store=store,
        product_code="P1",
        product_name="舒敏保湿特护霜",
        brand=brand,
        qty=1,
        amount=Decimal(amount),
        channel=channel,
        external_order_no=external_order_no,
    )


def booking(presale_order: YouzanOrder, booked_at, amount=None) -> SaleLine:
    """The store books its presale order in the POS (rules.md §7)."""
    return pos_line(
        presale_order.store,
        booked_at,
        presale_order.paid_amount - presale_order.refunded_amount if amount is None else amount,
        channel=BOOKED_PRESALE_CHANNEL,
        external_order_no=presale_order.order_no,
    )


def region_target(campaign, region, amount) -> Target:
    return Target.objects.create(
        campaign=campaign, level="region", region=region, amount=amount, source="document"
    )


def store_target(campaign, store, amount) -> Target:
    return Target.objects.create(
        campaign=campaign, level="store", store=store, amount=amount, source="document"
    )


def settled_lines(campaign) -> list[SettlementLine]:
    run = settlement_run(campaign=campaign)
    return list(run.lines.order_by("position"))


def line_summary(line: SettlementLine) -> tuple[str, str, str, str, Decimal]:
    """What a person reads off a settlement line: rule, who, which way, how much."""
    return (line.kind, line.recipient_type, line.recipient, line.direction, line.amount)


def summaries(campaign) -> list[tuple[str, str, str, str, Decimal]]:
    return [line_summary(line) for line in settled_lines(campaign)]


def stored_runs(campaign) -> list[SettlementRun]:
    return list(SettlementRun.objects.filter(campaign=campaign).order_by("version"))
