import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, Target
from campaigns.selectors import campaign_document
from campaigns.services import target_split_evenly

pytestmark = pytest.mark.django_db

NEW_CAMPAIGN = {
    "code": "WINONA-2023-618",
    "name": "薇诺娜618",
    "brand": "薇诺娜",
    "callbacks_start": "2023-05-20",
    "callbacks_end": "2023-06-01",
    "presale_start": "2023-06-01",
    "presale_end": "2023-06-18",
    "booking_start": "",
    "booking_end": "",
    "audience_brand": "薇诺娜",
    "audience_months": "12",
    "audience_reference_date": "2023-05-19",
    "audience_list": "",
    "per_member_target": "150",
    "presale_share": "80",
    "daily_quota": "5",
    "max_phone_attempts": "3",
    "gift_tiers": "398 柔润面膜5片\n698 透明质酸复合原液",
    "buy_one_get_one": "舒敏保湿喷雾\n",
    "script_greeting": "您好！",
    "script_offer": "{gift_tiers}",
    "script_closing": "",
}


def test_operations_create_a_campaign_in_the_browser(login, chain):
    client = login(chain["operations"])
    response = client.post(reverse("campaign-new"), NEW_CAMPAIGN, follow=True)
    assert "已保存" in response.content.decode()
    campaign = Campaign.objects.get(code="WINONA-2023-618")
    assert campaign.per_member_target == Decimal("150.00")
    assert campaign.presale_share == Decimal("0.80")
    assert campaign.gift_tiers == [
        {"min_amount": "398.00", "gift": "柔润面膜5片"},
        {"min_amount": "698.00", "gift": "透明质酸复合原液"},
    ]
    assert campaign.buy_one_get_one == ["舒敏保湿喷雾"]
    assert campaign.script == {"greeting": "您好！", "offer": "{gift_tiers}"}
    assert campaign.targets.filter(level="region").count() == 2
    assert "满398元送柔润面膜5片" in response.content.decode()


def test_create_form_shows_the_documents_refusal_and_keeps_what_was_typed(login, chain):
    client = login(chain["operations"])
    data = {**NEW_CAMPAIGN, "presale_end": "2023-05-01"}
    page = client.post(reverse("campaign-new"), data).content.decode()
    assert "windows.presale: 结束日期早于开始日期" in page
    assert "薇诺娜618" in page
    assert not Campaign.objects.exists()

    page = client.post(reverse("campaign-new"), {**NEW_CAMPAIGN, "gift_tiers": "398"})
    assert "第 1 行应为" in page.content.decode()


def test_edit_keeps_rules_and_target_overrides(login, campaign, chain):
    target_split_evenly(parent=Target.objects.get(campaign=campaign, region=chain["north"]))
    before = campaign_document(campaign)
    client = login(chain["operations"])
    form = client.get(reverse("campaign-edit", args=[campaign.code])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    assert data["presale_share"] == "80"
    data.update(name="薇诺娜双十一预售（改）", script_offer="{presale_window}预订")
    response = client.post(reverse("campaign-edit", args=[campaign.code]), data)
    assert response.status_code == 302, response.context["form"].errors
    after = campaign_document(Campaign.objects.get(code=campaign.code))
    assert after["name"] == "薇诺娜双十一预售（改）"
    assert after["script"] == {"offer": "{presale_window}预订"}
    assert after["rules"] == before["rules"]
    assert after["targets"] == before["targets"]
    assert after["targets"]["stores"] == {"307": "500.00", "308": "500.00"}


def test_download_and_upload_json(login, campaign, chain):
    client = login(chain["operations"])
    download = client.get(reverse("campaign-download", args=[campaign.code]))
    assert download["Content-Disposition"] == 'attachment; filename="WINONA-2022-D11.json"'
    document = json.loads(download.content)
    assert document == campaign_document(campaign)

    document["name"] = "上传改名"
    upload = SimpleUploadedFile("c.json", json.dumps(document).encode(), "application/json")
    response = client.post(reverse("campaign-upload"), {"file": upload})
    assert response.status_code == 302
    assert Campaign.objects.get(code=campaign.code).name == "上传改名"

    document["rules"][0]["kind"] = "lottery"
    upload = SimpleUploadedFile("c.json", json.dumps(document).encode(), "application/json")
    page = client.post(reverse("campaign-upload"), {"file": upload}).content.decode()
    assert "规则 #1 (lottery): 未知的规则类型" in page
    assert Campaign.objects.get(code=campaign.code).rules[0]["kind"] == "target_bonus"


def test_only_operations_change_campaigns(login, campaign, chain):
    for person in (chain["manager"], chain["north_lead"]):
        client = login(person)
        assert client.get(reverse("campaign-detail", args=[campaign.code])).status_code == 200
        assert client.get(reverse("campaign-edit", args=[campaign.code])).status_code == 403
        assert client.get(reverse("campaign-new")).status_code == 403
        assert (
            client.post("/api/campaigns/", {}, content_type="application/json").status_code == 403
        )
        client.logout()


def test_api_lists_reads_creates_and_updates_through_the_document(login, chain, example_document):
    client = login(chain["operations"])
    created = client.post("/api/campaigns/", example_document, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "WINONA-2022-D11"
    again = client.post("/api/campaigns/", example_document, content_type="application/json")
    assert again.status_code == 400

    example_document["rules"][0].pop("rate")
    refused = client.put(
        "/api/campaigns/WINONA-2022-D11/", example_document, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "规则 #1 (target_bonus) 字段 rate: 缺少该字段"

    example_document["rules"][0]["rate"] = "0.006"
    updated = client.put(
        "/api/campaigns/WINONA-2022-D11/", example_document, content_type="application/json"
    )
    assert updated.status_code == 200
    document = client.get("/api/campaigns/WINONA-2022-D11/document/").json()
    assert document["rules"][0]["rate"] == "0.006"
    client.logout()

    clerk = login(chain["clerks"][0])
    assert clerk.get("/api/campaigns/").json()["results"][0]["name"] == "薇诺娜双十一预售"
    assert clerk.get("/api/campaigns/WINONA-2022-D11/").json()["presale_share"] == "0.80"


def test_schema_documents_the_campaign_endpoints(login, chain):
    client = login(chain["operations"])
    schema = client.get("/api/schema/").content.decode()
    assert "/api/campaigns/{code}/" in schema
    assert "/api/targets/" in schema
