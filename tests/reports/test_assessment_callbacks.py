"""Callback effect (issue 9, item 2): which purchases a connected call brought in, credited
once, to the last connected call before them, within the conversion days; messages are
never credited; members never reached by phone are the comparison group."""

import datetime
from decimal import Decimal

import pytest

from callbacks.models import Channel, Outcome
from reports.assessment import (
    assessment_of,
    best_hours,
    call_hours,
    effect_lines_of_staff,
    effect_lines_of_stores,
    region_effect,
    staff_effect_rows,
    store_effect_rows,
    total_effect,
)
from tests.reports import assessment_fixtures
from tests.reports.assessment_fixtures import (
    at,
    call,
    make_campaign,
    member,
    presale_order,
    sale,
    task_of,
)

pytestmark = pytest.mark.django_db

shop = assessment_fixtures.shop

CALL_DAY = datetime.date(2022, 10, 12)
DAY_14 = CALL_DAY + datetime.timedelta(days=14)  # Oct 26
DAY_15 = CALL_DAY + datetime.timedelta(days=15)  # Oct 27


@pytest.fixture
def calls(shop):
    """Members of store 307 and the calls they got:
    A: reached 23:50 on Oct 12, bought at 23:59 on day 14 → converted.
    B: reached 23:50 on Oct 12, bought at 00:01 on day 15 → not converted.
    C: reached by S30702 on Oct 11, then by S30703 on Oct 15, a presale order on Oct 20 →
       converted once, credited to S30703.
    D: only an SMS on Oct 12, bought on Oct 13 → never credited; not reached, bought.
    E: never contacted, never bought. F: a phone call not answered, bought in store in
       the period → not reached, bought.
    """
    campaign = make_campaign()
    s307 = shop["stores"][307]
    li, zhao = shop["clerk_307"], shop["clerk_307b"]
    people = {
        name: member(s307, f"1380000000{index}", f"880000000{index}")
        for index, name in enumerate("ABCDEF")
    }
    tasks = {name: task_of(campaign, s307, person) for name, person in people.items()}

    call(tasks["A"], li, at(CALL_DAY, "23:50"))
    sale(s307, at(DAY_14, "23:59"), "300.00", member=people["A"])
    sale(s307, at(CALL_DAY, "09:00"), "50.00", member=people["A"])  # before the call

    call(tasks["B"], li, at(CALL_DAY, "23:50"))
    sale(s307, at(DAY_15, "00:01"), "200.00", member=people["B"])

    call(tasks["C"], li, at(datetime.date(2022, 10, 11), "10:00"))
    call(tasks["C"], zhao, at(datetime.date(2022, 10, 15), "19:00"))
    presale_order(s307, at(datetime.date(2022, 10, 20), "20:00"), "1598.00", phone="13800000002")

    call(tasks["D"], li, at(CALL_DAY, "11:00"), channel=Channel.SMS, outcome=Outcome.SENT)
    sale(s307, at(datetime.date(2022, 10, 13)), "120.00", member=people["D"])

    call(tasks["F"], zhao, at(CALL_DAY, "10:00"), outcome=Outcome.NO_ANSWER)
    sale(s307, at(datetime.date(2022, 10, 30)), "80.00", member=people["F"])
    return campaign


def test_purchase_on_day_n_converts_and_on_day_n_plus_one_does_not(calls, shop):
    effect = total_effect(shop["operations"].user, assessment_of(calls))
    # Reached: A, B, C. Converted: A (300.00 on day 14) and C (1,598.00); B bought on day 15.
    assert (effect.reached_members, effect.converted_members) == (3, 2)
    assert effect.converted_sales == Decimal("1898.00")
    assert effect.calls == 4
    # Never reached: D (SMS only, bought), E (nothing), F (no answer, bought).
    assert (effect.comparison_members, effect.comparison_bought) == (3, 2)
    assert effect.conversion_rate == Decimal(2) / 3
    assert effect.comparison_rate == Decimal(2) / 3


def test_conversion_days_are_a_campaign_parameter(calls, shop):
    calls.assessment = {"conversion_days": 15}
    calls.save()
    effect = total_effect(shop["operations"].user, assessment_of(calls))
    assert (effect.converted_members, effect.converted_sales) == (3, Decimal("2098.00"))


def test_a_member_called_by_two_staff_is_credited_once_to_the_last_call(calls, shop):
    assessment = assessment_of(calls)
    user = shop["operations"].user
    lines = {
        line.key: line.effect
        for line in effect_lines_of_staff(user, assessment, staff_effect_rows(user, assessment))
    }
    # 李店员 reached A, B and C; only A's purchase is theirs. 赵店员's later call took C's.
    assert (lines["S30702"].reached_members, lines["S30702"].converted_members) == (3, 1)
    assert lines["S30702"].converted_sales == Decimal("300.00")
    assert (lines["S30703"].reached_members, lines["S30703"].converted_members) == (1, 1)
    assert lines["S30703"].converted_sales == Decimal("1598.00")
    # Each is compared with their store's members never reached.
    assert lines["S30703"].comparison_members == 3

    stores = effect_lines_of_stores(user, assessment, store_effect_rows(user, assessment))
    assert [(line.key, line.effect.converted_members) for line in stores] == [("307", 2)]
    assert stores[0].effect.converted_sales == Decimal("1898.00")


def test_sms_only_contacts_are_never_credited(shop):
    campaign = make_campaign()
    s307 = shop["stores"][307]
    person = member(s307, "13900000001", "8900000001")
    task = task_of(campaign, s307, person)
    for channel in (Channel.SMS, Channel.WECHAT):
        call(task, shop["clerk_307"], at(CALL_DAY, "10:00"), channel=channel, outcome=Outcome.SENT)
    sale(s307, at(CALL_DAY, "12:00"), "500.00", member=person)
    presale_order(s307, at(CALL_DAY, "13:00"), "698.00", phone=person.phone)
    effect = total_effect(shop["operations"].user, assessment_of(campaign))
    assert (effect.calls, effect.converted_members, effect.converted_sales) == (0, 0, 0)
    assert (effect.comparison_members, effect.comparison_bought) == (1, 1)


def test_refunded_orders_booked_lines_and_other_brands_are_not_purchases(shop):
    campaign = make_campaign()
    s307 = shop["stores"][307]
    person = member(s307, "13900000002", "8900000002")
    call(task_of(campaign, s307, person), shop["clerk_307"], at(CALL_DAY))
    presale_order(s307, at(CALL_DAY, "12:00"), "698.00", phone=person.phone, refunded="698.00")
    sale(s307, at(CALL_DAY, "13:00"), "698.00", member=person, channel="有赞小程序")
    sale(s307, at(CALL_DAY, "14:00"), "99.00", member=person, brand="雅漾")
    # An order by another buyer with no phone is nobody's purchase.
    presale_order(s307, at(CALL_DAY, "15:00"), "398.00", phone="")
    effect = total_effect(shop["operations"].user, assessment_of(campaign))
    assert (effect.reached_members, effect.converted_members) == (1, 0)


def test_regions_and_scope(calls, shop):
    assessment = assessment_of(calls)
    regions = {
        line.name: line.effect for line in region_effect(shop["operations"].user, assessment)
    }
    assert regions["北门片"].converted_members == 2
    assert regions["西门一片"].reached_members == 0
    # Store 512's clerk sees none of 307's calls; the 片长 of 北门片 sees them all.
    clerk = shop["clerk_512"].user
    assert total_effect(clerk, assessment).calls == 0
    assert region_effect(clerk, assessment) == []
    assert total_effect(shop["north_lead"].user, assessment).converted_members == 2


def test_connected_rate_by_hour_and_the_best_hours(shop):
    campaign = make_campaign()
    s307 = shop["stores"][307]
    clerk = shop["clerk_307"]
    # 10:00 – 6 calls, 3 reached (50%); 19:00 – 5 calls, 4 reached (80%);
    # 20:00 – 2 calls, both reached (too few to tell); an SMS at 19:00 is no call.
    plan = [("10", 6, 3), ("19", 5, 4), ("20", 2, 2)]
    number = 0
    for hour, total, reached in plan:
        for index in range(total):
            number += 1
            person = member(s307, f"1370000{number:04d}", f"87000{number:05d}")
            outcome = Outcome.REACHED if index < reached else Outcome.NO_ANSWER
            call(
                task_of(campaign, s307, person),
                clerk,
                at(CALL_DAY, f"{hour}:{index:02d}"),
                outcome=outcome,
            )
    call(
        campaign.callback_tasks.first(),
        clerk,
        at(CALL_DAY, "19:30"),
        channel=Channel.SMS,
        outcome=Outcome.SENT,
    )
    hours = call_hours(clerk.user, campaign)
    assert [(h.hour, h.calls, h.connected) for h in hours] == [(10, 6, 3), (19, 5, 4), (20, 2, 2)]
    assert [h.hour for h in best_hours(hours)] == [19, 10]
    assert hours[1].label == "19:00–20:00"
    assert call_hours(shop["clerk_512"].user, campaign) == []
