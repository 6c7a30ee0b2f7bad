"""Quotas, chases and the 08:00 shortfall record (issue 4, items 5 and 9)."""

import datetime
from decimal import Decimal

import pytest

from callbacks.models import CallbackTask, Chase, Outcome, Shortfall
from callbacks.quotas import open_chases, region_coverage, staff_behind_quota, store_coverage
from callbacks.services import attempt_log, chase_create, shortfalls_record
from callbacks.tasks import record_yesterdays_shortfalls
from campaigns.models import Campaign
from common.dates import local_today
from common.errors import PermissionDenied, ServiceError
from common.jobs import job_run
from common.models import Job
from members.models import CallbackList, CallbackListEntry, Member
from stores.models import Role
from tests.factories import RegionFactory, StaffFactory, StoreFactory, region_lead_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    today = local_today()
    return Campaign.objects.create(
        code="WINONA-TEST",
        name="薇诺娜测试",
        brand="薇诺娜",
        callbacks_start=today - datetime.timedelta(days=5),
        callbacks_end=today + datetime.timedelta(days=2),
        presale_start=today + datetime.timedelta(days=3),
        presale_end=today + datetime.timedelta(days=20),
        per_member_target=Decimal("200.00"),
        presale_share=Decimal("0.80"),
        daily_quota=2,
    )


@pytest.fixture
def store():
    return StoreFactory(store_id=307, region=RegionFactory(name="北门片"))


def tasks_for(campaign, store, count: int) -> list[CallbackTask]:
    start = Member.objects.count()
    return [
        CallbackTask.objects.create(
            campaign=campaign,
            member=Member.objects.create(card_no=f"C{start + i:06d}", store=store),
            store=store,
            phone=f"139{start + i:08d}",
        )
        for i in range(count)
    ]


def call(task, staff, outcome=Outcome.REACHED, channel="phone"):
    return attempt_log(task=task, staff=staff, channel=channel, outcome=outcome)


def test_behind_quota_counts_only_completed_phone_calls(campaign, store):
    clerk = StaffFactory(store=store, name="郭敏")
    colleague = StaffFactory(store=store, name="徐梅")
    lead = region_lead_of(store.region)
    first, second, third = tasks_for(campaign, store, 3)
    call(first, clerk)
    call(second, clerk, Outcome.NO_ANSWER)
    call(third, clerk, Outcome.SENT, channel="sms")
    call(second, colleague)
    call(third, colleague, Outcome.WRONG_NUMBER)

    behind = staff_behind_quota(lead.user, campaign, local_today())
    assert [(person.name, person.done, person.behind) for person in behind] == [("郭敏", 1, 1)]


def test_coverage_per_store_and_region_with_days_left(campaign, store):
    clerk = StaffFactory(store=store)
    tasks = tasks_for(campaign, store, 4)
    call(tasks[0], clerk)
    operations = StaffFactory(role=Role.OPERATIONS, store=None)
    [coverage] = store_coverage(operations.user, campaign, local_today())
    assert (coverage.audience, coverage.called, coverage.days_left) == (4, 1, 3)
    [region] = region_coverage(operations.user, campaign, local_today())
    assert (region.name, region.audience, region.called) == ("北门片", 4, 1)


def test_a_chase_shows_until_the_quota_is_met(campaign, store):
    clerk = StaffFactory(store=store)
    manager = StaffFactory(store=store, role=Role.STORE_MANAGER)
    first, second = tasks_for(campaign, store, 2)
    chase = chase_create(campaign=campaign, staff=clerk, user=manager.user, note="加油")
    assert chase_create(campaign=campaign, staff=clerk, user=manager.user) == chase
    assert list(open_chases(clerk, campaign, local_today())) == [chase]

    call(first, clerk)
    assert list(open_chases(clerk, campaign, local_today())) == [chase]
    call(second, clerk)
    assert list(open_chases(clerk, campaign, local_today())) == []
    with pytest.raises(ServiceError, match="已完成回访指标"):
        chase_create(campaign=campaign, staff=clerk, user=manager.user)


def test_only_the_store_manager_or_region_lead_may_chase(campaign, store):
    clerk = StaffFactory(store=store)
    colleague = StaffFactory(store=store)
    other_manager = StaffFactory(role=Role.STORE_MANAGER, store=StoreFactory(store_id=512))
    for outsider in (colleague, other_manager):
        with pytest.raises(PermissionDenied):
            chase_create(campaign=campaign, staff=clerk, user=outsider.user)
    lead = region_lead_of(store.region)
    assert chase_create(campaign=campaign, staff=clerk, user=lead.user).chased_by == lead
    assert Chase.objects.count() == 1


def test_yesterdays_shortfalls_are_recorded_once(campaign, store):
    clerk = StaffFactory(store=store, staff_no="S30702")
    StaffFactory(store=store, staff_no="S30703")
    yesterday = local_today() - datetime.timedelta(days=1)
    assert record_yesterdays_shortfalls() == 2
    assert shortfalls_record(campaign=campaign, day=yesterday) == 2
    rows = Shortfall.objects.filter(day=yesterday).order_by("staff__staff_no")
    assert [(row.staff.staff_no, row.done, row.quota) for row in rows] == [
        ("S30702", 0, 2),
        ("S30703", 0, 2),
    ]
    assert clerk.shortfalls.count() == 1


def test_the_chase_and_yesterdays_shortfall_show_on_the_staff_home(client, campaign, store):
    clerk = StaffFactory(store=store, name="郭敏")
    manager = StaffFactory(store=store, role=Role.STORE_MANAGER)
    shortfalls_record(campaign=campaign, day=local_today() - datetime.timedelta(days=1))
    chase_create(campaign=campaign, staff=clerk, user=manager.user, note="今天补上")

    client.force_login(clerk.user)
    home = client.get("/").content.decode()
    assert "催办" in home and "今天补上" in home
    assert "昨日未达标" in home and "0/2" in home
    client.force_login(manager.user)
    managers_home = client.get("/").content.decode()
    assert "催办" not in managers_home
    assert managers_home.count("0/2") == 2


def test_region_lead_lists_staff_behind_quota_and_chases_one(client, campaign, store):
    clerk = StaffFactory(store=store, name="郭敏")
    StaffFactory(store=StoreFactory(store_id=512), name="外区员工")
    lead = region_lead_of(store.region)
    client.force_login(lead.user)

    page = client.get("/callbacks/compliance/").content.decode()
    assert "郭敏" in page and "外区员工" not in page
    response = client.post(f"/callbacks/staff/{clerk.pk}/chase/", follow=True)
    assert "已催办 郭敏" in response.content.decode()
    assert Chase.objects.get().chased_by == lead

    outsider = StaffFactory(store=StoreFactory(store_id=513))
    assert client.post(f"/callbacks/staff/{outsider.pk}/chase/").status_code == 404


def test_a_clerk_has_no_compliance_page(client, campaign, store):
    client.force_login(StaffFactory(store=store).user)
    assert client.get("/callbacks/compliance/").status_code == 403


def test_outside_the_callback_window_nobody_is_listed_as_behind(client, campaign, store):
    StaffFactory(store=store, name="郭敏")
    campaign.callbacks_end = local_today() - datetime.timedelta(days=1)
    campaign.save()
    client.force_login(region_lead_of(store.region).user)
    page = client.get("/callbacks/compliance/").content.decode()
    assert "今天不在回访期内" in page
    assert "郭敏" not in page


def test_operations_generate_the_campaigns_tasks_as_a_background_job(client, campaign, store):
    campaign.audience_list = "20221009"
    campaign.save()
    CallbackList.objects.create(name="20221009")
    for card_no in ("C1", "C2"):
        Member.objects.create(card_no=card_no, store=store)
        CallbackListEntry.objects.create(
            callback_list_id="20221009", member_id=card_no, phone="13800138000", store=store
        )
    client.force_login(StaffFactory(store=store).user)
    assert client.post(f"/callbacks/campaigns/{campaign.code}/tasks/").status_code == 403

    client.force_login(StaffFactory(role=Role.OPERATIONS, store=None).user)
    response = client.post(f"/callbacks/campaigns/{campaign.code}/tasks/")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/"
    job = job_run(job.pk)
    assert job.status == Job.Status.SUCCEEDED
    assert "新建回访任务 2 条" in job.message
    assert campaign.callback_tasks.count() == 2
    assert job_run(Job.objects.create(kind=job.kind, params=job.params).pk).result["created"] == 0
