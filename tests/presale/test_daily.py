"""Daily presale per store, zero stores, penalties and reported amounts (rules.md §4, §6)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Campaign
from common.errors import PermissionDenied, ServiceError
from presale.daily import (
    penalties_create,
    penalty_check,
    penalty_exempt,
    penalty_upload_evidence,
    reported_amounts_save,
    store_days,
)
from presale.models import Penalty, YouzanOrder
from presale.tasks import create_yesterdays_penalties
from stores.models import Role
from tests.factories import RegionFactory, StaffFactory, StoreFactory, region_lead_of

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 10, 25)
ORDER_NUMBERS = itertools.count(1)


@pytest.fixture
def campaign():
    return Campaign.objects.create(
        code="WINONA-2022-D11",
        name="薇诺娜双十一预售",
        brand="薇诺娜",
        callbacks_start=datetime.date(2022, 10, 10),
        callbacks_end=datetime.date(2022, 10, 23),
        presale_start=datetime.date(2022, 10, 25),
        presale_end=datetime.date(2022, 11, 15),
        per_member_target=Decimal("200.00"),
        presale_share=Decimal("0.80"),
    )


@pytest.fixture
def region():
    return RegionFactory(name="北门片")


def order(store, paid: str | None, amount: str, refunded: str = "0"):
    paid_at = (
        timezone.make_aware(datetime.datetime.fromisoformat(paid)) if paid is not None else None
    )
    return YouzanOrder.objects.create(
        order_no=f"E{next(ORDER_NUMBERS):05d}",
        status="已完成" if paid else "待付款",
        paid_at=paid_at,
        paid_amount=Decimal(amount),
        refunded_amount=Decimal(refunded),
        store=store,
    )


def test_a_stores_day_is_its_net_presale_and_a_store_without_any_is_a_zero_store(campaign, region):
    selling, refunded, idle = (StoreFactory(store_id=i, region=region) for i in (307, 308, 309))
    order(selling, "2022-10-25 10:05:00", "1598.00")
    order(selling, "2022-10-25 23:59:00", "698.00", refunded="98.00")
    order(selling, "2022-10-26 00:01:00", "500.00")
    order(selling, None, "999.00")
    order(refunded, "2022-10-25 12:00:00", "300.00", refunded="300.00")
    lead = region_lead_of(region)

    days = {row.store.store_id: row for row in store_days(lead.user, campaign, DAY)}
    assert (days[307].amount, days[307].orders, days[307].zero) == (Decimal("2198.00"), 2, False)
    assert (days[308].amount, days[308].zero) == (Decimal("0.00"), True)
    assert (days[309].amount, days[309].orders, days[309].zero) == (Decimal("0.00"), 0, True)

    assert penalties_create(campaign=campaign, day=DAY) == 0
    StaffFactory(store=idle, role=Role.STORE_MANAGER)
    StaffFactory(store=idle)
    StaffFactory(store=selling)
    assert penalties_create(campaign=campaign, day=DAY) == 2
    assert penalties_create(campaign=campaign, day=DAY) == 0
    assert {p.store.store_id for p in Penalty.objects.all()} == {309}
    assert {p.due_on for p in Penalty.objects.all()} == {DAY + datetime.timedelta(days=1)}
    with pytest.raises(ServiceError, match="不在预售期内"):
        penalties_create(campaign=campaign, day=datetime.date(2022, 10, 24))


def test_a_penalty_is_settled_by_evidence_or_exemption_and_checked_by_the_region_lead(
    campaign, region
):
    store = StoreFactory(store_id=309, region=region)
    clerk, colleague = StaffFactory(store=store), StaffFactory(store=store)
    penalties_create(campaign=campaign, day=DAY)
    own = Penalty.objects.get(staff=clerk)
    lead = region_lead_of(region)

    with pytest.raises(ServiceError, match="还没有上传视频"):
        penalty_check(penalty=own, user=lead.user)
    with pytest.raises(PermissionDenied):
        penalty_upload_evidence(
            penalty=own, upload=SimpleUploadedFile("a.mp4", b"x"), user=colleague.user
        )
    with pytest.raises(ServiceError, match="视频"):
        penalty_upload_evidence(
            penalty=own, upload=SimpleUploadedFile("a.exe", b"x"), user=clerk.user
        )
    penalty_upload_evidence(
        penalty=own, upload=SimpleUploadedFile("深蹲.mp4", b"video"), user=clerk.user
    )
    other_lead = region_lead_of(RegionFactory(name="西门一片"))
    with pytest.raises(PermissionDenied):
        penalty_check(penalty=own, user=other_lead.user)
    checked = penalty_check(penalty=own, user=lead.user)
    assert checked.checked_by == lead and checked.checked_at is not None

    exempted = penalty_exempt(
        penalty=Penalty.objects.get(staff=colleague), reason="腰伤，医生证明", user=colleague.user
    )
    assert penalty_check(penalty=exempted, user=lead.user).settled
    with pytest.raises(ServiceError, match="已检查"):
        penalty_exempt(penalty=checked, reason="x", user=clerk.user)


def test_reported_amounts_are_compared_with_the_imported_ones(campaign, region):
    store, other = StoreFactory(store_id=307, region=region), StoreFactory(store_id=512)
    order(store, "2022-10-25 10:00:00", "1000.00")
    lead = region_lead_of(region)

    reported_amounts_save(
        campaign=campaign, day=DAY, amounts={store.pk: Decimal("1200")}, user=lead.user
    )
    [row] = store_days(lead.user, campaign, DAY)
    assert (row.amount, row.reported, row.difference) == (
        Decimal("1000.00"),
        Decimal("1200.00"),
        Decimal("200.00"),
    )
    with pytest.raises(PermissionDenied, match="本片区"):
        reported_amounts_save(
            campaign=campaign, day=DAY, amounts={other.pk: Decimal(1)}, user=lead.user
        )
    clerk = StaffFactory(store=store)
    with pytest.raises(PermissionDenied):
        reported_amounts_save(
            campaign=campaign, day=DAY, amounts={store.pk: Decimal(1)}, user=clerk.user
        )


def test_the_region_lead_reports_the_whole_region_in_one_form(client, campaign, region):
    store, neighbour = (
        StoreFactory(store_id=307, region=region),
        StoreFactory(store_id=308, region=region),
    )
    order(store, "2022-10-25 10:00:00", "1000.00")
    client.force_login(region_lead_of(region).user)

    page = client.get("/presale/daily/?day=2022-10-25").content.decode()
    assert "挂0" in page and "¥1,000.00" in page
    response = client.post(
        "/presale/daily/report/?day=2022-10-25",
        {f"store-{store.pk}": "1,200", f"store-{neighbour.pk}": "0"},
        follow=True,
    )
    assert "已上报 2 家门店" in response.content.decode()
    assert "▲ ¥200.00" in response.content.decode()
    refused = client.post(
        "/presale/daily/report/?day=2022-10-25", {f"store-{store.pk}": "abc"}, follow=True
    )
    assert "金额格式不对" in refused.content.decode()


def test_staff_settle_their_own_penalty_from_the_phone(client, campaign, region):
    store = StoreFactory(store_id=309, region=region)
    clerk = StaffFactory(store=store)
    penalties_create(campaign=campaign, day=DAY)
    penalty = Penalty.objects.get(staff=clerk)
    client.force_login(clerk.user)
    assert "门店挂0" in client.get("/presale/daily/penalties/").content.decode()
    client.post(f"/presale/daily/penalties/{penalty.pk}/settle/", {"reason": "腰伤"})
    penalty.refresh_from_db()
    assert penalty.exemption_reason == "腰伤"

    outsider = StaffFactory(store=StoreFactory(store_id=512))
    client.force_login(outsider.user)
    assert (
        client.post(f"/presale/daily/penalties/{penalty.pk}/settle/", {"reason": "x"}).status_code
        == 404
    )


def test_the_nightly_task_creates_yesterdays_penalties(campaign, region):
    today = timezone.localdate()
    campaign.presale_start = today - datetime.timedelta(days=3)
    campaign.presale_end = today + datetime.timedelta(days=3)
    campaign.save()
    StaffFactory(store=StoreFactory(store_id=309, region=region))
    assert create_yesterdays_penalties() == 1
    assert create_yesterdays_penalties() == 0
    assert Penalty.objects.get().zero_day == today - datetime.timedelta(days=1)


def test_evidence_is_served_only_through_the_access_functions(client, campaign, region):
    store = StoreFactory(store_id=309, region=region)
    clerk = StaffFactory(store=store)
    penalties_create(campaign=campaign, day=DAY)
    penalty = Penalty.objects.get(staff=clerk)
    penalty_upload_evidence(
        penalty=penalty, upload=SimpleUploadedFile("深蹲.mp4", b"video-bytes"), user=clerk.user
    )
    penalty.refresh_from_db()
    client.force_login(region_lead_of(region).user)
    response = client.get(f"/presale/daily/penalties/{penalty.pk}/evidence/")
    assert b"".join(response.streaming_content) == b"video-bytes"
    assert client.get("/" + penalty.evidence.url.lstrip("/")).status_code == 404

    client.force_login(StaffFactory(store=StoreFactory(store_id=512)).user)
    assert client.get(f"/presale/daily/penalties/{penalty.pk}/evidence/").status_code == 404
