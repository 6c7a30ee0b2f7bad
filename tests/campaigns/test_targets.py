from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Target

pytestmark = pytest.mark.django_db


def _target(campaign, **holder) -> Target:
    return Target.objects.get(campaign=campaign, **holder)


def _page(campaign, target) -> str:
    return reverse("target-detail", args=[campaign.code, target.pk])


def test_region_lead_splits_evenly_with_one_click(login, campaign, chain):
    region = _target(campaign, region=chain["north"])
    client = login(chain["north_lead"])
    response = client.post(
        reverse("target-split-even", args=[campaign.code, region.pk]), follow=True
    )
    page = response.content.decode()
    assert "目标已分解" in page
    assert "相差" not in page
    amounts = Target.objects.filter(campaign=campaign, level="store", store__region=chain["north"])
    assert sorted(amounts.values_list("amount", "source")) == [
        (Decimal("500.00"), "manual"),
        (Decimal("500.00"), "manual"),
    ]
    assert "¥500.00" in page and "¥400.00" in page  # the presale goal, 80% of ¥500


def test_store_manager_splits_by_hand_and_is_warned_when_parts_do_not_add_up(
    login, campaign, chain
):
    store = _target(campaign, store__store_id=307)
    store.amount = Decimal("900.00")
    store.save()
    staff = {t.staff.staff_no: t for t in Target.objects.filter(campaign=campaign, level="staff")}
    client = login(chain["manager"])
    form = {
        f"amount_{staff['S30701'].pk}": "300",
        f"amount_{staff['S30702'].pk}": "300",
        f"amount_{staff['S30703'].pk}": "200.50",
    }
    page = client.post(_page(campaign, store), form, follow=True).content.decode()
    assert "目标已分解" in page
    assert "相差 -¥99.50" in page
    assert _target(campaign, staff__staff_no="S30703").amount == Decimal("200.50")

    form[f"amount_{staff['S30703'].pk}"] = "400"
    page = client.post(_page(campaign, store), form, follow=True).content.decode()
    assert "相差 +¥100.00" in page
    assert _target(campaign, staff__staff_no="S30703").amount == Decimal("400.00")


def test_split_form_keeps_what_was_typed_when_an_amount_is_wrong(login, campaign, chain):
    store = _target(campaign, store__store_id=307)
    child = _target(campaign, staff__staff_no="S30702")
    client = login(chain["manager"])
    response = client.post(_page(campaign, store), {f"amount_{child.pk}": "三百"})
    assert response.status_code == 200
    assert 'value="三百"' in response.content.decode()
    assert _target(campaign, staff__staff_no="S30702").source == "default"


def test_clerk_sees_the_store_target_but_cannot_split(login, campaign, chain):
    store = _target(campaign, store__store_id=307)
    client = login(chain["clerks"][0])
    page = client.get(_page(campaign, store))
    assert page.status_code == 200
    assert "一键平均分解" not in page.content.decode()
    assert (
        client.post(reverse("target-split-even", args=[campaign.code, store.pk])).status_code == 403
    )
    child = _target(campaign, staff__staff_no="S30702")
    assert client.post(_page(campaign, store), {f"amount_{child.pk}": "1"}).status_code == 403
    assert _target(campaign, staff__staff_no="S30702").source == "default"


def test_region_lead_gets_404_for_another_regions_target_page_and_api_object(
    login, campaign, chain
):
    own, other = _target(campaign, region=chain["north"]), _target(campaign, region=chain["west"])
    other_store = _target(campaign, store__store_id=512)
    client = login(chain["north_lead"])
    assert client.get(_page(campaign, own)).status_code == 200
    assert client.get(_page(campaign, other)).status_code == 404
    assert client.get(_page(campaign, other_store)).status_code == 404
    split = reverse("target-split-even", args=[campaign.code, other.pk])
    assert client.post(split).status_code == 404

    assert client.get(f"/api/targets/{own.pk}/").json()["presale_goal"] == "800.00"
    assert client.get(f"/api/targets/{other.pk}/").status_code == 404
    listed = client.get("/api/targets/", {"campaign": campaign.code, "level": "region"}).json()
    assert [row["region"] for row in listed["results"]] == ["北门片"]
    stores = client.get("/api/targets/", {"campaign": campaign.code, "level": "store"}).json()
    assert sorted(row["store_id"] for row in stores["results"]) == [307, 308]


def test_operations_see_every_target(login, campaign, chain):
    client = login(chain["operations"])
    listed = client.get("/api/targets/", {"campaign": campaign.code, "level": "region"}).json()
    assert sorted(row["region"] for row in listed["results"]) == ["北门片", "西门一片"]
    page = client.get(reverse("campaign-detail", args=[campaign.code])).content.decode()
    assert "北门片" in page and "西门一片" in page
    assert "¥1,000.00" in page and "¥800.00" in page


def test_store_staff_start_from_their_store_target(login, campaign, chain):
    client = login(chain["clerks"][0])
    listing = client.get(reverse("campaign-list")).content.decode()
    assert "薇诺娜双十一预售" in listing and "新建活动" not in listing
    page = client.get(reverse("campaign-detail", args=[campaign.code])).content.decode()
    assert "驷马桥店" in page
    assert "青羊宫店" not in page and "西门一片" not in page
