"""The eight rule kinds of rules.md §5, each from facts in the database (orders, POS lines,
targets) through settlement_run to the stored lines: the worked examples of §5 and each
boundary on both sides."""

import datetime
from decimal import Decimal

import pytest

from rewards.models import SettlementLine
from tests.factories import RegionFactory, StaffFactory, StoreFactory
from tests.rewards.factories import (
    BOOKED_PRESALE_CHANNEL,
    BOOKING_FIRST,
    BOOKING_GAP,
    DAILY_BIG_ORDER_RANK,
    DAILY_FIRST_ORDER,
    PRESALE_FIRST,
    PRESALE_LAST,
    RECEIPT_TIER,
    REGION_SHORTFALL,
    STORE_BREAKTHROUGH,
    STORE_SHORTFALL,
    TARGET_BONUS,
    at,
    booking,
    campaign_with,
    line_summary,
    order,
    pos_line,
    region_target,
    settled_lines,
    store_target,
    summaries,
)

pytestmark = pytest.mark.django_db

D = Decimal
IN_STORE = D("10000.00")
DAY_AFTER_PRESALE = PRESALE_LAST + datetime.timedelta(days=1)


@pytest.fixture
def north():
    return RegionFactory(name="北门片")


@pytest.fixture
def s307(north):
    return StoreFactory(store_id=307, region=north)


@pytest.fixture
def s308(north):
    return StoreFactory(store_id=308, region=north)


@pytest.fixture
def s512():
    return StoreFactory(store_id=512, region=RegionFactory(name="西门一片"))


@pytest.fixture
def clerk(s307):
    return StaffFactory(store=s307, staff_no="S30701")


def line_fields(line) -> tuple[str, str, str, str]:
    return (line.kind, line.recipient_type, line.recipient, line.direction)


def presale_and_in_store(presale_store, in_store_store, sales: Decimal) -> None:
    """`sales` of campaign sales: a presale order in one store and an in-store POS line of
    the brand in another (or the same) store."""
    order(presale_store, at(PRESALE_FIRST, "10:00"), sales - IN_STORE)
    pos_line(in_store_store, at(PRESALE_LAST, "20:00"), IN_STORE)


# --- target_bonus and shortfall_fund (region) -------------------------------------------

REGION_CASES = [
    pytest.param("230000.00", [("target_bonus", "pay", "1150.00")], id="230000-bonus-1150"),
    pytest.param("200000.00", [], id="200000-nothing-above-80pct"),
    pytest.param("219200.00", [("target_bonus", "pay", "1096.00")], id="219200-exactly-target"),
    pytest.param("219199.99", [], id="219199.99-just-below-target"),
    pytest.param("160000.00", [("shortfall_fund", "owe", "592.00")], id="160000-fund-592"),
    pytest.param("175360.00", [], id="175360-exactly-80pct"),
    pytest.param("175359.99", [("shortfall_fund", "owe", "438.40")], id="175359.99-below-80pct"),
    # 0.5% of 219,201.00 is 1,096.005 and 1% of 43,840.50 is 438.405: both round half up.
    pytest.param("219201.00", [("target_bonus", "pay", "1096.01")], id="bonus-rounds-half-up"),
    pytest.param("175359.50", [("shortfall_fund", "owe", "438.41")], id="fund-rounds-half-up"),
]


@pytest.mark.parametrize(("sales", "expected"), REGION_CASES)
def test_region_target_bonus_and_growth_fund(north, s307, s308, sales, expected):
    """北门片, target 219,200: region sales are the sum of its stores' presale and in-store
    sales; ≥ target pays 0.5% of sales, < 80% of target owes 1% of the gap."""
    campaign = campaign_with(TARGET_BONUS, REGION_SHORTFALL)
    region_target(campaign, north, "219200.00")
    presale_and_in_store(s307, s308, D(sales))

    lines = settled_lines(campaign)

    assert [(line.kind, line.direction, line.amount) for line in lines] == [
        (kind, direction, D(amount)) for kind, direction, amount in expected
    ]
    for line in lines:
        assert (line.recipient_type, line.recipient, line.region) == ("region", "北门片", north)
        assert line.store is None and line.staff is None
        assert line.facts["sales"] == sales
        assert line.facts["target"] == "219200.00"


def test_region_without_sales_owes_the_fund_on_its_whole_target(north, s307):
    campaign = campaign_with(TARGET_BONUS, REGION_SHORTFALL)
    region_target(campaign, north, "219200.00")

    assert summaries(campaign) == [
        ("shortfall_fund", "region", "北门片", "owe", D("2192.00")),
    ]


def test_region_without_a_target_gets_no_bonus_and_owes_nothing(north, s307, s512):
    campaign = campaign_with(TARGET_BONUS, REGION_SHORTFALL)
    region_target(campaign, north, "219200.00")
    presale_and_in_store(s307, s307, D("230000.00"))
    presale_and_in_store(s512, s512, D("300000.00"))

    assert summaries(campaign) == [("target_bonus", "region", "北门片", "pay", D("1150.00"))]


# --- shortfall_fund (store) ---------------------------------------------------------------

STORE_SHORTFALL_CASES = [
    pytest.param("18500.00", "30.00", id="18500-fund-30"),
    pytest.param("20000.00", None, id="20000-exactly-target"),
    # 2% of 0.01 is 0.0002, which rounds to 0.00: no line, never a zero line.
    pytest.param("19999.99", None, id="19999.99-rounds-to-zero"),
    # 2% of 0.25 is 0.005, which rounds half up to 0.01.
    pytest.param("19999.75", "0.01", id="19999.75-rounds-half-up"),
]


@pytest.mark.parametrize(("sales", "owed"), STORE_SHORTFALL_CASES)
def test_store_growth_fund(s307, sales, owed):
    """Store target 20,000: below it the store owes 2% of the gap."""
    campaign = campaign_with(STORE_SHORTFALL)
    store_target(campaign, s307, "20000.00")
    presale_and_in_store(s307, s307, D(sales))

    lines = settled_lines(campaign)

    assert [line.amount for line in lines] == ([D(owed)] if owed else [])
    assert not SettlementLine.objects.filter(amount__lte=0).exists()
    for line in lines:
        assert line_fields(line) == ("shortfall_fund", "store", "307", "owe")
        assert (line.store, line.region) == (s307, s307.region)
        assert (line.facts["sales"], line.facts["target"]) == (sales, "20000.00")


# --- receipt_tier -------------------------------------------------------------------------

RECEIPT_CASES = [
    pytest.param("697.99", None, id="697.99-nothing"),
    pytest.param("698.00", "10.00", id="698-tier-10"),
    pytest.param("1597.99", "10.00", id="1597.99-tier-10"),
    pytest.param("1598.00", "30.00", id="1598-tier-30"),
    pytest.param("3198.00", "60.00", id="3198-tier-60"),
]


@pytest.mark.parametrize(("net", "reward"), RECEIPT_CASES)
def test_receipt_tier_pays_the_highest_tier_to_the_registered_staff(s307, clerk, net, reward):
    campaign = campaign_with(RECEIPT_TIER)
    sold = order(s307, at(PRESALE_FIRST, "10:05"), net, staff=clerk)

    lines = settled_lines(campaign)

    assert [line.amount for line in lines] == ([D(reward)] if reward else [])
    for line in lines:
        assert line_fields(line) == ("receipt_tier", "staff", "S30701", "pay")
        assert (line.staff, line.store, line.order) == (clerk, s307, sold)
        assert (line.facts["order_no"], line.facts["net"]) == (sold.order_no, net)


def test_receipt_tier_of_an_unregistered_order_is_paid_to_its_store(s307):
    campaign = campaign_with(RECEIPT_TIER)
    order(s307, at(PRESALE_FIRST, "10:05"), "1598.00")

    [line] = settled_lines(campaign)

    assert line_summary(line) == ("receipt_tier", "store", "307", "pay", D("30.00"))
    assert (line.store, line.staff) == (s307, None)


def test_receipt_tier_goes_by_the_amount_left_after_refunds(s307, clerk):
    campaign = campaign_with(RECEIPT_TIER)
    below_30 = order(s307, at(PRESALE_FIRST, "10:00"), "1800.00", refunded="300.00", staff=clerk)
    below_10 = order(s307, at(PRESALE_FIRST, "11:00"), "800.00", refunded="200.00", staff=clerk)
    order(s307, at(PRESALE_FIRST, "12:00"), "3198.00", refunded="3198.00", staff=clerk)

    lines = settled_lines(campaign)

    assert [(line.order, line.amount, line.facts["net"]) for line in lines] == [
        (below_30, D("10.00"), "1500.00")
    ]
    assert below_10.pk not in [line.order_id for line in lines]


def test_receipt_tier_counts_only_orders_paid_inside_the_window(s307, clerk):
    campaign = campaign_with(RECEIPT_TIER)
    before = at(PRESALE_FIRST - datetime.timedelta(days=1), "23:59:59")
    order(s307, before, "3198.00", staff=clerk)
    order(s307, at(DAY_AFTER_PRESALE, "00:00:00"), "3198.00", staff=clerk)
    first = order(s307, at(PRESALE_FIRST, "00:00:00"), "698.00", staff=clerk)
    last = order(s307, at(PRESALE_LAST, "23:59:59"), "1598.00", staff=clerk)

    lines = settled_lines(campaign)

    assert [(line.order, line.amount) for line in lines] == [
        (first, D("10.00")),
        (last, D("30.00")),
    ]


def test_receipt_tier_with_its_own_window_counts_only_that_window(s307, clerk):
    campaign = campaign_with({**RECEIPT_TIER, "window": ["2022-11-11", "2022-11-11"]})
    order(s307, at(datetime.date(2022, 11, 10), "23:59:59"), "1598.00", staff=clerk)
    eleventh = order(s307, at(datetime.date(2022, 11, 11), "00:00"), "1598.00", staff=clerk)
    order(s307, at(datetime.date(2022, 11, 12), "00:00"), "1598.00", staff=clerk)

    assert [line.order for line in settled_lines(campaign)] == [eleventh]


def test_receipt_tier_ignores_unattributed_and_unpaid_orders(s307):
    campaign = campaign_with(RECEIPT_TIER)
    order(None, at(PRESALE_FIRST, "10:00"), "3198.00")
    order(s307, None, "3198.00", status="已关闭")

    assert summaries(campaign) == []


# --- daily_first_order (scope region) -----------------------------------------------------


def test_daily_first_order_pays_the_first_payment_of_each_day_in_each_region(
    s307, s308, s512, clerk
):
    campaign = campaign_with(DAILY_FIRST_ORDER)
    west_clerk = StaffFactory(store=s512, staff_no="S51201")
    # Created before the earlier order, so a larger order number wins nothing here.
    order(s307, at(PRESALE_FIRST, "10:05"), "1598.00", staff=clerk)
    first_north = order(s308, at(PRESALE_FIRST, "09:40"), "59.00")
    first_west = order(s512, at(PRESALE_FIRST, "11:00"), "698.00", staff=west_clerk)
    order(s512, at(PRESALE_FIRST, "11:30"), "3198.00", staff=west_clerk)

    lines = settled_lines(campaign)

    assert [(line.order, line_summary(line)) for line in lines] == [
        (first_north, ("daily_first_order", "store", "308", "pay", D("10.00"))),
        (first_west, ("daily_first_order", "staff", "S51201", "pay", D("10.00"))),
    ]
    assert [(line.facts["day"], line.facts["order_no"]) for line in lines] == [
        ("2022-10-25", first_north.order_no),
        ("2022-10-25", first_west.order_no),
    ]
    assert [line.region for line in lines] == [s308.region, s512.region]


def test_daily_first_order_days_are_local_days(s307, clerk):
    """23:59:59 and 00:00:01 in Asia/Shanghai are two days, though both fall on one UTC day."""
    campaign = campaign_with(DAILY_FIRST_ORDER)
    day = datetime.date(2022, 10, 26)
    late = order(s307, at(day, "23:59:59"), "100.00", staff=clerk)
    early = order(s307, at(day + datetime.timedelta(days=1), "00:00:01"), "100.00")
    order(s307, at(day + datetime.timedelta(days=1), "08:00"), "100.00", staff=clerk)

    lines = settled_lines(campaign)

    assert [(line.order, line.facts["day"], line.recipient) for line in lines] == [
        (late, "2022-10-26", "S30701"),
        (early, "2022-10-27", "307"),
    ]
    assert all(line.amount == D("10.00") for line in lines)


# --- daily_big_order_rank (scope chain) ---------------------------------------------------


def test_daily_big_order_rank_the_rules_md_day_across_regions(s307, s308, s512, clerk):
    """2,400.00 (10:05), 1,800.00 (09:40), 1,800.00 (11:20), 1,000.00 → 50 / 30 / 20 /
    nothing; the 1,800 tie goes to the earlier payment, whichever region it is in."""
    campaign = campaign_with(DAILY_BIG_ORDER_RANK)
    west_clerk = StaffFactory(store=s512, staff_no="S51201")
    # The later 1,800 is created first: its smaller order number must not break the tie.
    later_1800 = order(s307, at(PRESALE_FIRST, "11:20"), "1800.00", staff=clerk)
    order(s512, at(PRESALE_FIRST, "08:00"), "1000.00", staff=west_clerk)
    earlier_1800 = order(s512, at(PRESALE_FIRST, "09:40"), "1800.00", staff=west_clerk)
    biggest = order(s308, at(PRESALE_FIRST, "10:05"), "2400.00")

    lines = settled_lines(campaign)

    assert [(line.order, line_summary(line)) for line in lines] == [
        (biggest, ("daily_big_order_rank", "store", "308", "pay", D("50.00"))),
        (earlier_1800, ("daily_big_order_rank", "staff", "S51201", "pay", D("30.00"))),
        (later_1800, ("daily_big_order_rank", "staff", "S30701", "pay", D("20.00"))),
    ]
    assert [line.facts["place"] for line in lines] == ["1", "2", "3"]


def test_daily_big_order_rank_prizes_each_day_and_only_three(s307, clerk):
    campaign = campaign_with(DAILY_BIG_ORDER_RANK)
    second_day = PRESALE_FIRST + datetime.timedelta(days=1)
    for clock, amount in (("09:00", "1500.00"), ("10:00", "1400.00"), ("11:00", "1300.00")):
        order(s307, at(PRESALE_FIRST, clock), amount, staff=clerk)
    fourth = order(s307, at(PRESALE_FIRST, "12:00"), "1200.00", staff=clerk)
    just_above = order(s307, at(second_day, "00:00:01"), "1000.01")
    refunded_below = order(s307, at(second_day, "09:00"), "1500.00", refunded="500.00")

    lines = settled_lines(campaign)

    assert [(line.facts["day"], line.facts["net"], line.amount) for line in lines] == [
        ("2022-10-25", "1500.00", D("50.00")),
        ("2022-10-25", "1400.00", D("30.00")),
        ("2022-10-25", "1300.00", D("20.00")),
        ("2022-10-26", "1000.01", D("50.00")),
    ]
    assert fourth.pk not in [line.order_id for line in lines]
    assert lines[-1].order == just_above
    assert refunded_below.pk not in [line.order_id for line in lines]


# --- store_breakthrough -------------------------------------------------------------------

BREAKTHROUGH_CASES = [
    pytest.param("150000.00", "2000.00", id="150000-tier-2000"),
    pytest.param("149999.99", "1000.00", id="149999.99-tier-1000"),
    pytest.param("100000.00", "1000.00", id="100000-tier-1000"),
    pytest.param("99999.99", "500.00", id="99999.99-tier-500"),
    pytest.param("50000.00", "500.00", id="50000-tier-500"),
    pytest.param("49999.99", None, id="49999.99-nothing"),
]


def not_store_sales(store) -> None:
    """Lines and orders of the store that are not campaign sales (rules.md §4)."""
    inside = at(PRESALE_FIRST, "15:00")
    pos_line(store, inside, "5000.00", channel=BOOKED_PRESALE_CHANNEL, external_order_no="E1")
    pos_line(store, inside, "5000.00", brand="玉泽")
    pos_line(store, at(PRESALE_FIRST - datetime.timedelta(days=1), "23:59:59"), "5000.00")
    pos_line(store, at(DAY_AFTER_PRESALE, "00:00"), "5000.00")
    order(store, at(DAY_AFTER_PRESALE, "00:00"), "5000.00")
    order(store, None, "5000.00", status="已关闭")


@pytest.mark.parametrize(("sales", "reward"), BREAKTHROUGH_CASES)
def test_store_breakthrough(s307, sales, reward):
    """Store sales = presale net + in-store POS of the brand in the window; booked presale
    lines (有赞小程序), other brands and anything outside the window are left out."""
    campaign = campaign_with(STORE_BREAKTHROUGH)
    order(s307, at(PRESALE_FIRST, "10:00"), D(sales) - IN_STORE + D("600.00"), refunded="600.00")
    pos_line(s307, at(PRESALE_LAST, "23:59:59"), IN_STORE)
    not_store_sales(s307)

    lines = settled_lines(campaign)

    assert [line_summary(line) for line in lines] == (
        [("store_breakthrough", "store", "307", "pay", D(reward))] if reward else []
    )
    for line in lines:
        assert line.facts["sales"] == sales


def test_store_breakthrough_counts_in_store_sales_and_not_the_booked_presale_lines(s307, s308):
    campaign = campaign_with(STORE_BREAKTHROUGH)
    pos_line(s307, at(PRESALE_FIRST, "15:00"), "50000.00")
    pos_line(
        s308,
        at(PRESALE_FIRST, "15:00"),
        "50000.00",
        channel=BOOKED_PRESALE_CHANNEL,
        external_order_no="E2022X",
    )

    assert summaries(campaign) == [("store_breakthrough", "store", "307", "pay", D("500.00"))]


# --- booking_gap --------------------------------------------------------------------------

BOOKING_DAY_3 = BOOKING_FIRST + datetime.timedelta(days=2)
BOOKING_DAY_4 = BOOKING_FIRST + datetime.timedelta(days=3)


@pytest.fixture
def presale_30000(s307, clerk):
    """Store 307's presale: 27,500.00 and 2,500.00."""
    return (
        order(s307, at(PRESALE_FIRST, "10:00"), "27500.00", staff=clerk),
        order(s307, at(PRESALE_LAST, "21:00"), "2600.00", refunded="100.00"),
    )


def test_booking_gap_owes_what_was_not_booked_in_days_1_to_3(s307, presale_30000):
    campaign = campaign_with(BOOKING_GAP)
    booked, _ = presale_30000
    booking(booked, at(BOOKING_FIRST, "09:00"))

    [line] = settled_lines(campaign)

    assert line_summary(line) == ("booking_gap", "store", "307", "owe", D("2500.00"))
    assert (line.store, line.region, line.staff) == (s307, s307.region, None)
    assert (line.facts["presale"], line.facts["booked"]) == ("30000.00", "27500.00")


def test_booking_gap_fully_booked_by_the_end_of_day_3_owes_nothing(s307, presale_30000):
    campaign = campaign_with(BOOKING_GAP)
    big, small = presale_30000
    booking(big, at(BOOKING_FIRST, "09:00"))
    booking(small, at(BOOKING_DAY_3, "23:59:59"))

    assert summaries(campaign) == []


def test_booking_gap_a_booking_on_day_4_does_not_count(s307, presale_30000):
    campaign = campaign_with(BOOKING_GAP)
    big, small = presale_30000
    booking(big, at(BOOKING_FIRST, "09:00"))
    booking(small, at(BOOKING_DAY_4, "00:00"))

    assert summaries(campaign) == [("booking_gap", "store", "307", "owe", D("2500.00"))]


def test_booking_gap_counts_each_store_on_its_own(s307, s308, presale_30000):
    campaign = campaign_with(BOOKING_GAP)
    big, small = presale_30000
    booking(big, at(BOOKING_FIRST, "09:00"))
    booking(small, at(BOOKING_FIRST, "09:00"))
    other = order(s308, at(PRESALE_FIRST, "12:00"), "1598.00")
    booking(other, at(BOOKING_FIRST, "10:00"), amount=D("1500.00"))

    assert summaries(campaign) == [("booking_gap", "store", "308", "owe", D("98.00"))]


def test_booking_gap_counts_only_the_rules_booking_days(s307, presale_30000):
    campaign = campaign_with({**BOOKING_GAP, "booking_days": 1})
    big, small = presale_30000
    booking(big, at(BOOKING_FIRST, "23:59:59"))
    booking(small, at(BOOKING_FIRST + datetime.timedelta(days=1), "00:00"))

    [line] = settled_lines(campaign)

    assert (line.recipient, line.amount, line.facts["booking_days"]) == ("307", D("2500.00"), "1")


def test_booking_gap_sums_the_lines_of_one_booking_receipt(s307, presale_30000):
    campaign = campaign_with(BOOKING_GAP)
    big, _ = presale_30000
    for line_no, amount in ((1, "20000.00"), (2, "7500.00")):
        pos_line(
            s307,
            at(BOOKING_FIRST, "09:00"),
            amount,
            channel=BOOKED_PRESALE_CHANNEL,
            external_order_no=big.order_no,
            receipt_no="R-BOOK-1",
            line_no=line_no,
        )

    assert summaries(campaign) == [("booking_gap", "store", "307", "owe", D("2500.00"))]


def test_booking_gap_counts_an_order_booked_twice_or_by_another_store_once(
    s307, s308, presale_30000
):
    """Booking the same order again, or another store's order, books nothing more."""
    campaign = campaign_with(BOOKING_GAP)
    big, small = presale_30000
    booking(big, at(BOOKING_FIRST, "09:00"))
    booking(big, at(BOOKING_FIRST, "10:00"))
    pos_line(
        s308,
        at(BOOKING_FIRST, "11:00"),
        small.paid_amount - small.refunded_amount,
        channel=BOOKED_PRESALE_CHANNEL,
        external_order_no=small.order_no,
    )

    assert summaries(campaign) == [("booking_gap", "store", "307", "owe", D("2500.00"))]
