import pytest

from campaigns.selectors import campaign_script
from campaigns.services import campaign_load

pytestmark = pytest.mark.django_db

SCRIPT = {
    "greeting": "您好，我是康宁大药房的店员，给您说一下{brand}的活动。",
    "offer": "{presale_window}预订：{gift_tiers}；{buy_one_get_one}买一送一。{会员姓名}",
    "closing": "祝您生活愉快！",
}


def test_script_fills_in_the_campaigns_offer_and_follows_a_changed_gift_tier(
    chain, example_document
):
    example_document["script"] = SCRIPT
    example_document["buy_one_get_one"] = ["舒敏保湿喷雾", "柔润保湿洁面乳"]
    campaign = campaign_load(example_document)
    assert campaign_script(campaign) == [
        ("开场白", "您好，我是康宁大药房的店员，给您说一下薇诺娜的活动。"),
        (
            "活动介绍",
            "10月25日至11月15日预订：满398元送柔润面膜5片；满698元送透明质酸复合原液；"
            "舒敏保湿喷雾、柔润保湿洁面乳买一送一。{会员姓名}",
        ),
        ("结束语", "祝您生活愉快！"),
    ]

    example_document["gift_tiers"][1] = {"min_amount": "798.50", "gift": "特护霜15g"}
    campaign = campaign_load(example_document)
    offer = dict(campaign_script(campaign))["活动介绍"]
    assert "满398元送柔润面膜5片；满798.5元送特护霜15g；" in offer
    assert "透明质酸" not in offer


def test_unknown_or_broken_placeholders_are_left_as_typed(chain, example_document):
    example_document["script"] = {"offer": "{store} {brand {} {{brand}} 满{gift_tiers"}
    campaign = campaign_load(example_document)
    assert campaign_script(campaign) == [("活动介绍", "{store} {brand {} {薇诺娜} 满{gift_tiers")]


def test_missing_parts_are_left_out(chain, example_document):
    assert campaign_script(campaign_load(example_document)) == []
