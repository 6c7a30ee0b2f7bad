"""Promotion assessment (issue 9, item 1): each store's, region's and the chain's average
campaign day against the average day of the 10 days before it, worked out by hand from the
fixture's sale lines, and the goals as campaign parameters."""

import copy
import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.documents import DocumentError, document_read
from campaigns.models import Campaign
from reports.assessment import (
    assessment_of,
    daily_sales,
    region_promotion,
    store_promotion,
    total_promotion,
)
from tests.reports import assessment_fixtures

pytestmark = pytest.mark.django_db

shop, promotion = assessment_fixtures.shop, assessment_fixtures.promotion

EXAMPLE = Path(__file__).parents[1] / "campaigns" / "winona_2022.json"


@pytest.fixture
def example_document() -> dict:
    return copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def by_store(user, assessment) -> dict:
    return {row.store_id: assessment.figures(row) for row in store_promotion(user, assessment)}


def growth(measure) -> Decimal:
    return measure.growth.quantize(Decimal("0.0001"))


def test_store_figures_against_the_ten_days_before(promotion, shop):
    assessment = assessment_of(promotion)
    assert (assessment.periods.baseline_first, assessment.periods.baseline_last) == (
        datetime.date(2022, 10, 15),
        datetime.date(2022, 10, 24),
    )
    figures = by_store(shop["operations"].user, assessment)

    # 307: baseline 10 receipts, 1,000.00 over 10 days → 100.00 a day, 1 customer a day,
    # ticket 100.00. Campaign: 8 receipts (one of two lines), 1,200.00 over 5 days →
    # 240.00 a day (+140%), 1.6 customers a day (+60%), ticket 150.00 (+50%).
    s307 = figures[307]
    assert (s307.baseline_sales, s307.baseline_receipts) == (Decimal("1000.00"), 10)
    assert (s307.campaign_sales, s307.campaign_receipts) == (Decimal("1200.00"), 8)
    assert (s307.sales.baseline, s307.sales.campaign) == (Decimal(100), Decimal(240))
    assert (s307.customers.baseline, s307.customers.campaign) == (Decimal(1), Decimal("1.6"))
    assert (s307.ticket.baseline, s307.ticket.campaign) == (Decimal(100), Decimal(150))
    assert [growth(m) for m in s307.measures] == [Decimal("1.4"), Decimal("0.6"), Decimal("0.5")]
    assert [m.reached for m in s307.measures] == [True, True, True]
    assert s307.extra_sales == Decimal("700.00")  # 1,200 − 100 × 5

    # 308: 2,000.00 and 20 receipts before (200.00, 2 a day, ticket 100.00); 1,800.00 and
    # 15 receipts in (360.00 a day: +80%, short of +100%; 3 a day: exactly +50%; ticket
    # 120.00: exactly +20%). Equal to the goal is reaching it.
    s308 = figures[308]
    assert (s308.sales.baseline, s308.sales.campaign) == (Decimal(200), Decimal(360))
    assert (s308.customers.baseline, s308.customers.campaign) == (Decimal(2), Decimal(3))
    assert (s308.ticket.baseline, s308.ticket.campaign) == (Decimal(100), Decimal(120))
    assert [growth(m) for m in s308.measures] == [Decimal("0.8"), Decimal("0.5"), Decimal("0.2")]
    assert [m.reached for m in s308.measures] == [False, True, True]
    assert s308.goals_reached == 2

    # 512 sold nothing before: nothing to compare with, so no goal is judged.
    s512 = figures[512]
    assert (s512.campaign_sales, s512.campaign_receipts) == (Decimal("500.00"), 1)
    assert [m.growth for m in s512.measures] == [None, None, None]
    assert [m.reached for m in s512.measures] == [None, None, None]
    assert s512.extra_sales == Decimal("500.00")


def test_region_and_chain_are_their_stores_together(promotion, shop):
    assessment = assessment_of(promotion)
    regions = {
        line.holder.name: line.figures
        for line in region_promotion(shop["operations"].user, assessment)
    }
    # 北门片 = 307 + 308: 3,000.00 and 30 receipts before (300.00, 3 a day, ticket 100.00);
    # 3,000.00 and 23 receipts in (600.00: +100%; 4.6: +53.3%; 130.43: +30.4%).
    north = regions["北门片"]
    assert (north.baseline_sales, north.baseline_receipts) == (Decimal("3000.00"), 30)
    assert (north.campaign_sales, north.campaign_receipts) == (Decimal("3000.00"), 23)
    assert [growth(m) for m in north.measures] == [
        Decimal("1.0000"),
        Decimal("0.5333"),
        Decimal("0.3043"),
    ]
    assert [m.reached for m in north.measures] == [True, True, True]
    assert regions["西门一片"].campaign_sales == Decimal("500.00")

    chain = total_promotion(shop["operations"].user, assessment)
    # + 512: 3,500.00 and 24 receipts in: 700.00 (+133.3%), 4.8 (+60%), 145.83 (+45.8%).
    assert (chain.campaign_sales, chain.campaign_receipts) == (Decimal("3500.00"), 24)
    assert [growth(m) for m in chain.measures] == [
        Decimal("1.3333"),
        Decimal("0.6000"),
        Decimal("0.4583"),
    ]
    assert chain.extra_sales == Decimal("2000.00")


def test_a_region_lead_sees_their_region_and_store_staff_their_store(promotion, shop):
    assessment = assessment_of(promotion)
    lead = shop["north_lead"].user
    assert sorted(by_store(lead, assessment)) == [307, 308]
    assert [line.holder.name for line in region_promotion(lead, assessment)] == ["北门片"]
    assert total_promotion(lead, assessment).campaign_sales == Decimal("3000.00")

    clerk = shop["clerk_512"].user
    assert list(by_store(clerk, assessment)) == [512]
    assert region_promotion(clerk, assessment) == []
    assert total_promotion(clerk, assessment).baseline_sales == Decimal("0.00")


def test_daily_sales_cover_every_day_of_both_periods(promotion, shop):
    days = daily_sales(shop["operations"].user, assessment_of(promotion))
    assert len(days) == 15
    assert [day.in_campaign for day in days] == [False] * 10 + [True] * 5
    # The 23:30 line of 307 is on Oct 24, the 00:10 one on Oct 25 (Asia/Shanghai).
    assert (days[9].day, days[9].sales, days[9].receipts) == (
        datetime.date(2022, 10, 24),
        Decimal("300.00"),
        3,
    )
    assert sum(day.sales for day in days[10:]) == Decimal("3500.00")


def test_goals_and_days_are_campaign_parameters(promotion, shop):
    promotion.assessment = {
        "baseline_days": 5,
        "goals": {"sales": "1.50", "customers": "0.50", "ticket": "0.60"},
        "conversion_days": 7,
    }
    promotion.save()
    assessment = assessment_of(promotion)
    assert assessment.periods.baseline_first == datetime.date(2022, 10, 20)
    s307 = by_store(shop["operations"].user, assessment)[307]
    # Oct 20–24: 5 receipts of 100.00 → 100.00 a day; campaign 240.00 a day (+140% < 150%).
    assert s307.baseline_sales == Decimal("500.00")
    assert [m.reached for m in s307.measures] == [False, True, False]


def test_the_document_reads_the_assessment_object_with_defaults(example_document):
    example_document["assessment"] = {"goals": {"sales": "0.80"}}
    document = document_read(example_document)
    assert document.assessment == {
        "baseline_days": 10,
        "goals": {"sales": "0.80", "customers": "0.50", "ticket": "0.20"},
        "conversion_days": 14,
    }
    example_document.pop("assessment")
    assert document_read(example_document).assessment == {}


@pytest.mark.parametrize(
    ("assessment", "message"),
    [
        ("10 days", "assessment: 应为对象"),
        ({"baseline_days": 0}, "assessment.baseline_days: 应为不小于 1 的整数"),
        ({"conversion_days": "14"}, "assessment.conversion_days: 应为不小于 1 的整数"),
        ({"goals": {"sales": "翻倍"}}, "assessment.goals.sales: '翻倍' 不是有效的数字"),
        ({"goals": {"sales": 1.0}}, 'assessment.goals.sales: 应为字符串形式的数字，如 "200.00"'),
        (
            {"goals": {"profit": "0.1"}},
            "assessment.goals: 应为对象，字段为 sales、customers、ticket",
        ),
        ({"baseline": 10}, "assessment: 未知的字段 baseline"),
    ],
)
def test_a_malformed_assessment_is_refused_naming_the_field(example_document, assessment, message):
    example_document["assessment"] = assessment
    with pytest.raises(DocumentError) as error:
        document_read(example_document)
    assert error.value.message.startswith(message)


def test_load_keeps_the_assessment_and_export_gives_it_back(shop, example_document, tmp_path):
    example_document["targets"] = {}
    example_document["assessment"] = {"baseline_days": 7, "conversion_days": 10}
    source = tmp_path / "in.json"
    source.write_text(json.dumps(example_document, ensure_ascii=False), encoding="utf-8")
    call_command("load_campaign", str(source))
    campaign = Campaign.objects.get(code="WINONA-2022-D11")
    parameters = assessment_of(campaign).parameters
    assert (parameters.baseline_days, parameters.conversion_days) == (7, 10)
    assert parameters.goals.sales == Decimal("1.00")

    out = tmp_path / "out.json"
    call_command("export_campaign", campaign.code, "--out", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["assessment"] == {
        "baseline_days": 7,
        "goals": {"sales": "1.00", "customers": "0.50", "ticket": "0.20"},
        "conversion_days": 10,
    }


def test_a_refused_assessment_saves_nothing(shop, example_document, tmp_path):
    example_document["targets"] = {}
    example_document["assessment"] = {"goals": {"ticket": "-0.2"}}
    source = tmp_path / "in.json"
    source.write_text(json.dumps(example_document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=r"assessment\.goals\.ticket"):
        call_command("load_campaign", str(source))
    assert not Campaign.objects.exists()
