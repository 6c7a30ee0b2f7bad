"""Settlement runs over the whole campaign document (formats.md): every rule kind at once,
reproducible lines, versions, totals, the refusals a user can cause, approval and discard."""

from decimal import Decimal

import pytest

from common.errors import Conflict, PermissionDenied, ServiceError
from presale.models import YouzanOrder
from rewards.models import SettlementLine, SettlementRun
from rewards.services import settlement_approve, settlement_discard, settlement_run
from stores.models import Role
from tests.factories import RegionFactory, StaffFactory, StoreFactory
from tests.rewards.factories import (
    BOOKING_FIRST,
    BOOKING_GAP,
    DOCUMENT_RULES,
    PRESALE_FIRST,
    PRESALE_LAST,
    RECEIPT_TIER,
    at,
    booking,
    campaign_with,
    line_summary,
    order,
    pos_line,
    region_target,
    store_target,
    stored_runs,
)

pytestmark = pytest.mark.django_db

D = Decimal
NO_BOOKING_DATE = "该活动还没有设置下账日期，请先在活动中填写下账开始日期。"


@pytest.fixture
def campaign():
    """The formats.md document on a small chain:
    307 (北门片): order 1,598.00 by S30701 at 10:05 + in store 16,902.00 = 18,500.00
    308 (北门片): order 2,400.00 unregistered at 09:40, booked as 2,000.00 + in store
                  139,100.00 = 141,500.00; 北门片 = 160,000.00 of its 219,200.00 target
    512 (西门一片): order 698.00 by S51201 at 11:00, never booked; no targets."""
    campaign = campaign_with(*DOCUMENT_RULES)
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    s307, s308 = StoreFactory(store_id=307, region=north), StoreFactory(store_id=308, region=north)
    s512 = StoreFactory(store_id=512, region=west)
    region_target(campaign, north, "219200.00")
    store_target(campaign, s307, "20000.00")
    o307 = order(
        s307,
        at(PRESALE_FIRST, "10:05"),
        "1598.00",
        staff=StaffFactory(store=s307, staff_no="S30701"),
    )
    o308 = order(s308, at(PRESALE_FIRST, "09:40"), "2400.00")
    order(
        s512,
        at(PRESALE_FIRST, "11:00"),
        "698.00",
        staff=StaffFactory(store=s512, staff_no="S51201"),
    )
    pos_line(s307, at(PRESALE_LAST, "18:00"), "16902.00")
    pos_line(s308, at(PRESALE_LAST, "18:00"), "139100.00")
    booking(o307, at(BOOKING_FIRST, "10:00"))
    booking(o308, at(BOOKING_FIRST, "10:00"), amount=D("2000.00"))
    return campaign


EXPECTED_LINES = sorted(
    [
        ("shortfall_fund", "region", "北门片", "owe", D("592.00")),
        ("shortfall_fund", "store", "307", "owe", D("30.00")),
        ("receipt_tier", "staff", "S30701", "pay", D("30.00")),
        ("receipt_tier", "store", "308", "pay", D("30.00")),
        ("receipt_tier", "staff", "S51201", "pay", D("10.00")),
        ("daily_first_order", "store", "308", "pay", D("10.00")),
        ("daily_first_order", "staff", "S51201", "pay", D("10.00")),
        ("daily_big_order_rank", "store", "308", "pay", D("50.00")),
        ("daily_big_order_rank", "staff", "S30701", "pay", D("30.00")),
        ("store_breakthrough", "store", "308", "pay", D("1000.00")),
        ("booking_gap", "store", "308", "owe", D("400.00")),
        ("booking_gap", "store", "512", "owe", D("698.00")),
    ]
)


def test_the_document_rules_settle_every_kind_in_rule_order(campaign):
    run = settlement_run(campaign=campaign)
    lines = list(run.lines.order_by("position"))

    assert sorted(line_summary(line) for line in lines) == EXPECTED_LINES
    assert [line.position for line in lines] == list(range(1, len(lines) + 1))
    rule_numbers = [line.rule_number for line in lines]
    assert rule_numbers == sorted(rule_numbers)
    kinds_by_number = {line.rule_number: line.kind for line in lines}
    assert kinds_by_number == {
        number: rule["kind"]
        for number, rule in enumerate(DOCUMENT_RULES, start=1)
        if number in kinds_by_number
    }
    assert (run.campaign, run.version, run.status) == (campaign, 1, SettlementRun.Status.DRAFT)


def test_totals_of_the_run_are_the_sums_of_its_lines(campaign):
    run = settlement_run(campaign=campaign)
    run.refresh_from_db()
    lines = list(run.lines.all())

    assert run.pay_total == sum(line.amount for line in lines if line.direction == "pay")
    assert run.owe_total == sum(line.amount for line in lines if line.direction == "owe")
    assert (run.pay_total, run.owe_total, run.line_count) == (
        D("1170.00"),
        D("1720.00"),
        len(EXPECTED_LINES),
    )


def comparable(run: SettlementRun) -> list[dict]:
    """Every field of the run's lines but their own id and their run."""
    return [
        {name: value for name, value in row.items() if name not in {"id", "run_id"}}
        for row in SettlementLine.objects.filter(run=run).order_by("position").values()
    ]


def test_the_same_facts_give_identical_lines_twice(campaign):
    first = settlement_run(campaign=campaign)
    second = settlement_run(campaign=campaign)

    assert comparable(first) == comparable(second)
    assert len(comparable(first)) == len(EXPECTED_LINES)
    assert (first.pay_total, first.owe_total) == (second.pay_total, second.owe_total)


def test_each_run_is_a_new_version_and_keeps_the_earlier_ones(campaign):
    runs = [settlement_run(campaign=campaign) for _ in range(3)]

    assert [run.version for run in runs] == [1, 2, 3]
    assert [run.version for run in stored_runs(campaign)] == [1, 2, 3]
    assert all(run.lines.count() == len(EXPECTED_LINES) for run in stored_runs(campaign))


def test_versions_are_counted_per_campaign(campaign):
    other = campaign_with(RECEIPT_TIER)
    settlement_run(campaign=campaign)
    settlement_run(campaign=campaign)

    assert settlement_run(campaign=other).version == 1


def test_a_late_refund_changes_the_next_version_only(campaign):
    first = settlement_run(campaign=campaign)
    order_512 = YouzanOrder.objects.get(store__store_id=512)
    order_512.refunded_amount = D("100.00")
    order_512.save()

    second = settlement_run(campaign=campaign)

    def s512(run):
        return sorted(line_summary(line) for line in run.lines.filter(store__store_id=512))

    assert ("receipt_tier", "staff", "S51201", "pay", D("10.00")) in s512(first)
    assert s512(second) == [
        ("booking_gap", "store", "512", "owe", D("598.00")),
        ("daily_first_order", "staff", "S51201", "pay", D("10.00")),
    ]


def test_booking_gap_without_a_booking_date_is_refused_and_stores_nothing():
    campaign = campaign_with(RECEIPT_TIER, BOOKING_GAP, booking_first=None)
    order(StoreFactory(), at(PRESALE_FIRST, "10:00"), "1598.00")

    with pytest.raises(ServiceError) as refused:
        settlement_run(campaign=campaign)

    assert refused.value.message == NO_BOOKING_DATE
    assert stored_runs(campaign) == []
    assert not SettlementLine.objects.exists()


def test_without_a_booking_gap_rule_no_booking_date_is_needed():
    campaign = campaign_with(RECEIPT_TIER, booking_first=None)
    order(StoreFactory(store_id=307), at(PRESALE_FIRST, "10:00"), "1598.00")

    run = settlement_run(campaign=campaign)

    assert [line_summary(line) for line in run.lines.all()] == [
        ("receipt_tier", "store", "307", "pay", D("30.00"))
    ]


def test_a_rule_kind_the_system_does_not_know_is_refused():
    campaign = campaign_with(RECEIPT_TIER, {"kind": "lucky_draw", "amount": "8.88"})

    with pytest.raises(ServiceError) as refused:
        settlement_run(campaign=campaign)

    assert refused.value.message == "规则 #2 (lucky_draw): 系统不认识这种规则，无法结算。"
    assert stored_runs(campaign) == []


def test_a_run_with_nothing_earned_is_an_empty_version():
    campaign = campaign_with(*DOCUMENT_RULES)

    run = settlement_run(campaign=campaign)

    assert (run.version, run.line_count, run.pay_total, run.owe_total) == (1, 0, 0, 0)
    assert not run.lines.exists()


# --- approval and discard -----------------------------------------------------------------


@pytest.fixture
def finance():
    return StaffFactory(role=Role.FINANCE, store=None, name="吴财务")


def test_finance_approves_a_version_and_a_later_run_is_a_new_draft(campaign, finance):
    run = settlement_approve(run=settlement_run(campaign=campaign), user=finance.user)

    assert (run.status, run.approved_by, run.locked) == ("approved", finance, True)
    later = settlement_run(campaign=campaign)
    assert (later.version, later.status) == (2, "draft")
    run.refresh_from_db()
    assert run.status == "approved"


def test_an_approved_version_cannot_be_discarded_or_approved_again(campaign, finance):
    run = settlement_approve(run=settlement_run(campaign=campaign), user=finance.user)

    for action in (settlement_discard, settlement_approve):
        with pytest.raises(Conflict) as refused:
            action(run=run, user=finance.user)
        assert "第 1 版已于" in refused.value.message
        assert "由吴财务审批，已锁定，不能修改；如需重新结算，请计算新的版本。" in (
            refused.value.message
        )
    assert SettlementLine.objects.filter(run=run).count() == len(EXPECTED_LINES)


def test_finance_discards_a_draft_with_its_lines(campaign, finance):
    kept, discarded = settlement_run(campaign=campaign), settlement_run(campaign=campaign)

    settlement_discard(run=discarded, user=finance.user)

    assert stored_runs(campaign) == [kept]
    assert not SettlementLine.objects.filter(run_id=discarded.pk).exists()


@pytest.mark.parametrize("role", [Role.OPERATIONS, Role.REGION_LEAD, Role.STORE_MANAGER])
def test_only_finance_approves_or_discards(campaign, role):
    someone = StaffFactory(role=role, store=StoreFactory() if role == Role.STORE_MANAGER else None)
    run = settlement_run(campaign=campaign)

    for action in (settlement_approve, settlement_discard):
        with pytest.raises(PermissionDenied) as refused:
            action(run=run, user=someone.user)
        assert refused.value.message == "只有财务可以审批或删除结算版本。"
    run.refresh_from_db()
    assert run.status == "draft"
