"""Input and output of the assessment: the rewards of the campaign's settlement of record
and the gifts handed out, per store, region and the whole scope, against the extra sales,
worked out by hand, on the page, over the API and in the workbook.

Extra sales (test_assessment.py): 307 700.00, 308 800.00, 512 500.00; 北门片 1,500.00,
西门一片 500.00, the chain 2,000.00."""

import io
import re
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from reports.assessment import (
    CostStatus,
    assessment_of,
    campaign_costs,
    region_promotion,
    store_promotion,
    total_promotion,
)
from rewards.models import SettlementRun
from stores.models import Role
from tests.factories import StaffFactory
from tests.reports import assessment_fixtures
from tests.reports.assessment_fixtures import (
    at,
    gift_handout,
    make_campaign,
    settlement,
    settlement_line,
)

pytestmark = pytest.mark.django_db

shop, promotion = assessment_fixtures.shop, assessment_fixtures.promotion

URL = "/reports/assessment/?campaign=WINONA-2022-D11"
API = "/api/assessment-promotion/?campaign=WINONA-2022-D11"


@pytest.fixture
def finance():
    return StaffFactory(role=Role.FINANCE, store=None, staff_no="CW001", name="周会计")


@pytest.fixture
def settled(promotion, shop, finance):
    """Version 1, approved: 李店员 of 307 is paid 30.00, 北门片 itself 200.00 and store 512
    50.00; 307 owes 40.00 (owed, so no input). Version 2, a newer draft, pays 999.00 each to
    307 and 北门片: only the approved version counts. Gifts: two of 45.00 at 307, one of
    25.00 at 512; another campaign's 60.00 at 308 is not this campaign's."""
    north, west, stores = shop["north"], shop["west"], shop["stores"]
    approved = settlement(promotion, 1, approved_by=finance)
    settlement_line(approved, "30.00", region=north, store=stores[307], staff=shop["clerk_307"])
    settlement_line(approved, "200.00", region=north)
    settlement_line(approved, "50.00", region=west, store=stores[512])
    settlement_line(approved, "40.00", region=north, store=stores[307], direction="owe")
    draft = settlement(promotion, 2)
    settlement_line(draft, "999.00", region=north, store=stores[307])
    settlement_line(draft, "999.00", region=north)

    handlers = {"handler": shop["clerk_307"], "second_handler": shop["clerk_307b"]}
    gift_handout(promotion, stores[307], "45.00", **handlers)
    gift_handout(promotion, stores[307], "45.00", **handlers)
    clerk_512b = StaffFactory(store=stores[512], staff_no="S51202")
    gift_handout(
        promotion, stores[512], "25.00", handler=shop["clerk_512"], second_handler=clerk_512b
    )
    other = make_campaign(code="AVENE-2022-D11", name="雅漾双十一", brand="雅漾")
    gift_handout(other, stores[308], "60.00", **handlers)
    return promotion


def amounts(spent) -> tuple:
    return (*(cost.amount for cost in spent.costs), spent.total)


def ratio(spent) -> Decimal | None:
    return None if spent.ratio is None else spent.ratio.quantize(Decimal("0.0001"))


def inputs_of(user, campaign) -> tuple[dict, dict, object]:
    assessment = assessment_of(campaign)
    costs = campaign_costs(user, assessment)
    stores = {
        store.store_id: costs.of_store(store, assessment.figures(store))
        for store in store_promotion(user, assessment)
    }
    regions = {
        line.holder.name: costs.of_region(line.holder, line.figures)
        for line in region_promotion(user, assessment)
    }
    return stores, regions, costs.of_scope(total_promotion(user, assessment))


def test_the_input_is_the_approved_versions_pay_lines_and_the_gifts(settled, shop):
    stores, regions, chain = inputs_of(shop["operations"].user, settled)
    # (rewards, gifts, total)
    assert amounts(stores[307]) == (Decimal("30.00"), Decimal("90.00"), Decimal("120.00"))
    assert ratio(stores[307]) == Decimal("5.8333")  # 700 ÷ 120
    assert amounts(stores[308]) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert stores[308].ratio is None  # nothing spent: no ratio
    assert amounts(stores[512]) == (Decimal("50.00"), Decimal("25.00"), Decimal("75.00"))
    assert ratio(stores[512]) == Decimal("6.6667")  # 500 ÷ 75

    # A region's own reward is its region's, not any store's: 北门片 30 + 200.
    assert amounts(regions["北门片"]) == (Decimal("230.00"), Decimal("90.00"), Decimal("320.00"))
    assert ratio(regions["北门片"]) == Decimal("4.6875")  # 1,500 ÷ 320
    assert amounts(regions["西门一片"]) == (Decimal("50.00"), Decimal("25.00"), Decimal("75.00"))

    assert amounts(chain) == (Decimal("280.00"), Decimal("115.00"), Decimal("395.00"))
    assert ratio(chain) == Decimal("5.0633")  # 2,000 ÷ 395
    assert chain.status == CostStatus.FINAL


def test_each_person_sees_the_input_of_their_scope(settled, shop):
    stores, regions, lead_total = inputs_of(shop["north_lead"].user, settled)
    assert sorted(stores) == [307, 308]
    assert list(regions) == ["北门片"]
    assert amounts(lead_total) == (Decimal("230.00"), Decimal("90.00"), Decimal("320.00"))

    manager = StaffFactory(role=Role.STORE_MANAGER, store=shop["stores"][512], staff_no="S51200")
    stores, regions, total = inputs_of(manager.user, settled)
    assert (list(stores), regions) == ([512], {})
    assert amounts(total) == (Decimal("50.00"), Decimal("25.00"), Decimal("75.00"))

    # A clerk's settlement lines are their own (as on the settlement pages): 512's reward
    # is the store's, so its clerk counts none of it; the store's gifts they see.
    _, _, clerk_total = inputs_of(shop["clerk_512"].user, settled)
    assert amounts(clerk_total) == (Decimal("0.00"), Decimal("25.00"), Decimal("25.00"))
    _, _, clerk_total = inputs_of(shop["clerk_307"].user, settled)
    assert amounts(clerk_total) == (Decimal("30.00"), Decimal("90.00"), Decimal("120.00"))


def test_once_the_newer_version_is_approved_it_is_the_one_that_counts(settled, shop, finance):
    SettlementRun.objects.filter(version=2).update(
        status=SettlementRun.Status.APPROVED,
        approved_at=at(settled.presale_end),
        approved_by=finance,
    )
    stores, regions, chain = inputs_of(shop["operations"].user, settled)
    assert stores[307].costs[0].amount == Decimal("999.00")
    assert regions["北门片"].costs[0].amount == Decimal("1998.00")
    assert regions["西门一片"].costs[0].amount == Decimal("0.00")
    assert chain.costs[0].amount == Decimal("1998.00")


def cells_of(html: str, table_id: str, key: str) -> dict[str, str]:
    """A row's input cells (rewards, gifts, total, ratio) as a person reads them."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr data-[a-z-]+="{key}">(.*?)</tr>', table, re.S).group(1)
    return {
        name: re.sub(r"<[^>]+>", "", cell).strip()
        for name, cell in re.findall(r'<td class="num" data-cost="([a-z]+)">(.*?)</td>', row)
    }


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'<p id="{element_id}">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found))


def test_the_page_shows_the_input_and_the_ratio_per_store_region_and_chain(settled, shop, login):
    html = login(shop["operations"]).get(URL).content.decode()
    assert re.search(
        r"<th[^>]*>增量销售</th><th[^>]*>奖励</th><th[^>]*>赠品</th><th[^>]*>投入合计</th>"
        r"<th[^>]*>增量销售 ÷ 投入</th>",
        html,
    )
    assert cells_of(html, "promotion-stores", "307") == {
        "rewards": "¥30.00",
        "gifts": "¥90.00",
        "total": "¥120.00",
        "ratio": "5.83",
    }
    assert cells_of(html, "promotion-stores", "308")["ratio"] == "—"
    assert cells_of(html, "promotion-regions", "北门片") == {
        "rewards": "¥230.00",
        "gifts": "¥90.00",
        "total": "¥320.00",
        "ratio": "4.69",
    }
    summary = text_of(html, "input-output")
    assert "投入：奖励 ¥280.00、赠品 ¥115.00，合计 ¥395.00；增量销售 ÷ 投入 5.06" in summary
    assert "奖励：第 1 版结算（已审批）的应付金额。" in html
    assert "草稿" not in summary


def test_the_api_gives_each_cost_the_total_and_the_ratio(settled, shop, login):
    client = login(shop["operations"])
    stores = client.get(API).json()["results"]
    s307 = next(row for row in stores if row["store_id"] == 307)
    assert s307["costs"] == [
        {"source": "rewards", "label": "奖励", "amount": "30.00", "status": "final"},
        {"source": "gifts", "label": "赠品", "amount": "90.00", "status": "final"},
    ]
    assert (s307["input_total"], s307["input_status"], s307["return_ratio"]) == (
        "120.00",
        "final",
        "5.8333",
    )
    s308 = next(row for row in stores if row["store_id"] == 308)
    assert (s308["input_total"], s308["return_ratio"]) == ("0.00", None)
    regions = client.get(f"{API}&level=region").json()["results"]
    assert [(row["name"], row["input_total"], row["return_ratio"]) for row in regions] == [
        ("北门片", "320.00", "4.6875"),
        ("西门一片", "75.00", "6.6667"),
    ]
    (chain,) = client.get(f"{API}&level=chain").json()["results"]
    assert (chain["input_total"], chain["return_ratio"]) == ("395.00", "5.0633")


def sheet_rows(response, name: str) -> list[dict]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_name(name).to_python()
    return [dict(zip(rows[2], row, strict=True)) for row in rows[3:]]


INPUT_HEADERS = ("奖励", "奖励状态", "赠品", "赠品状态", "投入合计", "投入状态", "增量销售 ÷ 投入")


def test_the_workbook_holds_the_input_of_every_row(settled, shop, login):
    client = login(shop["operations"])
    stores = {
        row["门店ID"]: row for row in sheet_rows(client.get(f"{URL}&export=xlsx"), "活动考核-门店")
    }
    assert tuple(stores[307][header] for header in INPUT_HEADERS) == (
        30,
        "已确定",
        90,
        "已确定",
        120,
        "已确定",
        5.83,
    )
    assert (stores[308]["投入合计"], stores[308]["增量销售 ÷ 投入"]) == (0, "")
    regions = sheet_rows(client.get(f"{URL}&export=xlsx"), "活动考核-片区")
    assert [(row["片区"], row["投入合计"], row["增量销售 ÷ 投入"]) for row in regions] == [
        ("北门片", 320, 4.69),
        ("西门一片", 75, 6.67),
    ]
    (chain,) = sheet_rows(client.get(f"{URL}&export=xlsx"), "活动考核-合计")
    assert (chain["奖励"], chain["赠品"], chain["投入合计"], chain["增量销售 ÷ 投入"]) == (
        280,
        115,
        395,
        5.06,
    )


@pytest.fixture
def drafted(promotion, shop):
    """Only a draft so far: 307's store is paid 60.00."""
    settlement_line(
        settlement(promotion, 1), "60.00", region=shop["north"], store=shop["stores"][307]
    )
    return promotion


def test_a_draft_settlement_is_shown_marked_as_a_draft(drafted, shop, login):
    client = login(shop["operations"])
    html = client.get(URL).content.decode()
    assert cells_of(html, "promotion-stores", "307") == {
        "rewards": "¥60.00 草稿",
        "gifts": "¥0.00",
        "total": "¥60.00 草稿",
        "ratio": "11.67",  # 700 ÷ 60
    }
    assert "第 1 版结算草稿的应付金额，财务审批前可能变化。" in html

    s307 = next(row for row in client.get(API).json()["results"] if row["store_id"] == 307)
    assert s307["costs"][0] == {
        "source": "rewards",
        "label": "奖励",
        "amount": "60.00",
        "status": "draft",
    }
    assert (s307["input_total"], s307["input_status"]) == ("60.00", "draft")

    stores = {
        row["门店ID"]: row for row in sheet_rows(client.get(f"{URL}&export=xlsx"), "活动考核-门店")
    }
    assert (stores[307]["奖励"], stores[307]["奖励状态"], stores[307]["投入状态"]) == (
        60,
        "草稿",
        "草稿",
    )


def test_without_a_settlement_the_rewards_and_the_ratio_are_pending(promotion, shop, login):
    handlers = {"handler": shop["clerk_307"], "second_handler": shop["clerk_307b"]}
    gift_handout(promotion, shop["stores"][307], "45.00", **handlers)
    client = login(shop["operations"])
    html = client.get(URL).content.decode()
    assert cells_of(html, "promotion-stores", "307") == {
        "rewards": "待结算",
        "gifts": "¥45.00",
        "total": "待结算",
        "ratio": "待结算",
    }
    assert "还没有结算，奖励待结算。" in html

    s307 = next(row for row in client.get(API).json()["results"] if row["store_id"] == 307)
    assert s307["costs"][0]["amount"] is None
    assert (s307["costs"][1]["amount"], s307["input_total"], s307["return_ratio"]) == (
        "45.00",
        None,
        None,
    )
    assert s307["input_status"] == "pending"
