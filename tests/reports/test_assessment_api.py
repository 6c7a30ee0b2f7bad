"""The assessment over the API (issue 9, item 4): the dashboard's figures, scoped to the
caller, with messages for what a caller can get wrong."""

import datetime

import pytest

from tests.reports import assessment_fixtures
from tests.reports.assessment_fixtures import at, call, member, sale, task_of

pytestmark = pytest.mark.django_db

shop, promotion = assessment_fixtures.shop, assessment_fixtures.promotion
CODE = "campaign=WINONA-2022-D11"


@pytest.fixture
def called(promotion, shop):
    s307 = shop["stores"][307]
    person = member(s307, "13800000009", "8800000009")
    call(
        task_of(promotion, s307, person),
        shop["clerk_307"],
        at(datetime.date(2022, 10, 20), "19:00"),
    )
    sale(s307, at(datetime.date(2022, 10, 22)), "300.00", member=person)
    task_of(promotion, s307, member(s307, "13800000008", "8800000008"))
    return promotion


def test_promotion_per_store_region_and_chain(called, shop, login):
    client = login(shop["operations"])
    stores = client.get(f"/api/assessment-promotion/?{CODE}").json()
    assert stores["count"] == 3
    s308 = next(row for row in stores["results"] if row["store_id"] == 308)
    assert (s308["baseline_sales"], s308["campaign_sales"], s308["campaign_receipts"]) == (
        "2000.00",
        "1800.00",
        15,
    )
    assert s308["sales"] == {
        "label": "销售额（日均）",
        "baseline": "200.00",
        "campaign": "360.00",
        "growth": "0.8000",
        "goal": "1.0000",
        "reached": False,
    }
    assert (s308["customers"]["growth"], s308["customers"]["reached"]) == ("0.5000", True)
    assert (s308["ticket"]["campaign"], s308["ticket"]["reached"]) == ("120.00", True)
    assert s308["extra_sales"] == "800.00"
    # No settlement yet: the rewards are pending, so are the input and the ratio.
    assert s308["costs"] == [
        {"source": "rewards", "label": "奖励", "amount": None, "status": "pending"},
        {"source": "gifts", "label": "赠品", "amount": "0.00", "status": "final"},
    ]
    assert (s308["input_total"], s308["input_status"], s308["return_ratio"]) == (
        None,
        "pending",
        None,
    )

    regions = client.get(f"/api/assessment-promotion/?{CODE}&level=region").json()["results"]
    assert [(row["name"], row["campaign_sales"]) for row in regions] == [
        ("北门片", "3000.00"),
        ("西门一片", "500.00"),
    ]
    (chain,) = client.get(f"/api/assessment-promotion/?{CODE}&level=chain").json()["results"]
    # The called member's 300.00 on Oct 22 is baseline: 700.00 a day against 330.00.
    assert (chain["name"], chain["campaign_receipts"], chain["sales"]["growth"]) == (
        "全公司",
        24,
        "1.1212",
    )


def test_callback_effect_per_level_and_the_hours(called, shop, login):
    client = login(shop["operations"])
    staff = client.get(f"/api/assessment-callback-effect/?{CODE}").json()["results"]
    assert [(row["key"], row["converted_members"], row["converted_sales"]) for row in staff] == [
        ("S30702", 1, "300.00")
    ]
    assert (staff[0]["comparison_members"], staff[0]["comparison_rate"]) == (1, "0.0000")
    (store,) = client.get(f"/api/assessment-callback-effect/?{CODE}&level=store").json()["results"]
    assert (store["key"], store["conversion_rate"], store["lift"]) == ("307", "1.0000", "1.0000")
    regions = client.get(f"/api/assessment-callback-effect/?{CODE}&level=region").json()
    assert [row["name"] for row in regions["results"]] == ["北门片", "西门一片"]
    (chain,) = client.get(f"/api/assessment-callback-effect/?{CODE}&level=chain").json()["results"]
    assert (chain["reached_members"], chain["converted_members"]) == (1, 1)
    hours = client.get(f"/api/assessment-call-hours/?{CODE}").json()["results"]
    assert hours == [{"hour": 19, "calls": 1, "connected": 1, "rate": "1.0000"}]
    days = client.get(f"/api/assessment-daily-sales/?{CODE}").json()
    assert days["count"] == 15
    assert days["results"][10] == {
        "day": "2022-10-25",
        "in_campaign": True,
        "sales": "1310.00",  # 307: 150 + 2 × 150, 308: 3 × 120, 512: 500
        "receipts": 7,
    }


def test_another_stores_figures_are_out_of_reach(called, shop, login):
    client = login(shop["clerk_512"])
    stores = client.get(f"/api/assessment-promotion/?{CODE}").json()["results"]
    assert [row["store_id"] for row in stores] == [512]
    assert client.get(f"/api/assessment-promotion/?{CODE}&level=region").json()["results"] == []
    assert client.get(f"/api/assessment-callback-effect/?{CODE}").json()["results"] == []
    assert client.get(f"/api/assessment-call-hours/?{CODE}").json()["results"] == []
    lead = login(shop["north_lead"])
    stores = lead.get(f"/api/assessment-promotion/?{CODE}").json()["results"]
    assert [row["store_id"] for row in stores] == [307, 308]


def test_what_a_caller_can_get_wrong(called, shop, login):
    client = login(shop["operations"])
    response = client.get(f"/api/assessment-promotion/?{CODE}&level=staff")
    assert response.status_code == 400
    assert response.json() == {"detail": "层级应为 store、region、chain 之一。", "field": "level"}
    response = client.get("/api/assessment-promotion/?campaign=NOPE")
    assert (response.status_code, response.json()["detail"]) == (404, "找不到该活动。")
    called.active = False
    called.save()
    response = client.get("/api/assessment-call-hours/")
    assert response.status_code == 404
    assert "请用 ?campaign=活动编码 指定" in response.json()["detail"]
    client.logout()
    assert client.get(f"/api/assessment-promotion/?{CODE}").status_code == 403
