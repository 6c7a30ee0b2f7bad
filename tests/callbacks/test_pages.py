import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks.models import CallbackTask
from callbacks.selectors import active_campaign, call_list
from callbacks.services import chase_create
from common.dates import local_today
from common.models import AuditEntry
from stores.models import Role
from tests.callbacks.factories import CallbackTaskFactory, CampaignFactory
from tests.factories import StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def two_stores():
    return StoreFactory(store_id=307, name="驷马桥店"), StoreFactory(store_id=512, name="青羊宫店")


def test_a_clerk_gets_404_for_another_stores_task_by_page_and_api(login, campaign, two_stores):
    own, other = two_stores
    clerk = StaffFactory(store=own)
    theirs = CallbackTaskFactory(campaign=campaign, store=other)
    client = login(clerk)

    assert client.post(reverse("callbacks:reveal", args=[theirs.pk])).status_code == 404
    attempt = client.post(
        reverse("callbacks:attempt", args=[theirs.pk]), {"channel": "phone", "outcome": "reached"}
    )
    assert attempt.status_code == 404
    assert client.post(reverse("callbacks:take", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/callback-tasks/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/callback-tasks/{theirs.pk}/attempts/").status_code == 404
    api_attempt = client.post(
        f"/api/callback-tasks/{theirs.pk}/attempts/", {"channel": "phone", "outcome": "reached"}
    )
    assert api_attempt.status_code == 404
    assert not AuditEntry.objects.exists()
    assert not theirs.attempts.exists()


def test_the_page_lists_only_my_tasks_and_my_stores_unassigned(login, campaign, two_stores):
    own, other = two_stores
    clerk, colleague = StaffFactory(store=own), StaffFactory(store=own)
    CallbackTaskFactory(campaign=campaign, store=own, assigned_to=clerk, member__name="我的会员")
    CallbackTaskFactory(campaign=campaign, store=own, assigned_to=colleague, member__name="同事的")
    CallbackTaskFactory(campaign=campaign, store=own, member__name="待领取的")
    CallbackTaskFactory(campaign=campaign, store=other, member__name="别店的")

    page = login(clerk).get(reverse("callbacks:list")).content.decode()
    assert "我的会员" in page and "待领取的" in page
    assert "同事的" not in page and "别店的" not in page


def test_a_follow_up_due_today_is_first_then_higher_last_year_spend(campaign, two_stores):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    today = local_today()

    def task(spend, **fields):
        return CallbackTaskFactory(
            campaign=campaign, store=own, spend_last_year=Decimal(spend), **fields
        )

    modest = task("80.00")
    big = task("2400.00")
    due_today = task("10.00", follow_up_on=today)
    overdue = task("5.00", follow_up_on=today - datetime.timedelta(days=2))
    task("9999.00", follow_up_on=today + datetime.timedelta(days=1))
    recent = task("80.00", last_purchase_on=today - datetime.timedelta(days=3))
    later = CallbackTask.objects.get(follow_up_on=today + datetime.timedelta(days=1))

    ordered = list(call_list(clerk.user, campaign, today=today))
    assert ordered == [due_today, overdue, later, big, recent, modest]


def test_a_member_reached_before_shows_the_hour(login, campaign, two_stores):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    CallbackTaskFactory(campaign=campaign, store=own, assigned_to=clerk, reached_hour=14)
    assert "上次约 14 点接通" in login(clerk).get(reverse("callbacks:list")).content.decode()


def test_the_number_is_not_in_the_page_until_revealed(login, campaign, two_stores):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    task = CallbackTaskFactory(campaign=campaign, store=own, assigned_to=clerk)
    client = login(clerk)

    page = client.get(reverse("callbacks:list")).content.decode()
    assert task.phone not in page and f"{task.phone[:3]}****{task.phone[-4:]}" in page
    revealed = client.post(reverse("callbacks:reveal", args=[task.pk])).content.decode()
    assert f'href="tel:{task.phone}"' in revealed
    entry = AuditEntry.objects.get(action="phone.reveal")
    assert entry.user == clerk.user and entry.target_id == str(task.pk)


def test_a_refused_attempt_keeps_what_was_typed_and_says_why(login, campaign, two_stores):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    task = CallbackTaskFactory(campaign=campaign, store=own, assigned_to=clerk)
    response = login(clerk).post(
        reverse("callbacks:attempt", args=[task.pk]),
        {"channel": "sms", "outcome": "reached", "reasons": ["价格"], "note": "下午再打"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "该回访方式不能选这个结果。" in page
    assert "下午再打" in page
    price_chip = re.search(r'<input[^>]*value="价格"[^>]*>', page).group()
    assert "checked" in price_chip
    assert not task.attempts.exists()


def test_a_connected_call_moves_the_progress_and_leaves_the_list(login, campaign, two_stores):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    task = CallbackTaskFactory(campaign=campaign, store=own, assigned_to=clerk)
    client = login(clerk)

    response = client.post(
        reverse("callbacks:attempt", args=[task.pk]), {"channel": "phone", "outcome": "reached"}
    )
    page = response.content.decode()
    assert "1/5 今日" in page and 'hx-swap-oob="true"' in page
    assert "已移出名单" in page
    assert task.member.name not in client.get(reverse("callbacks:list")).content.decode()


@pytest.mark.parametrize("task_count", [10, 200])
def test_the_page_makes_the_same_number_of_queries_whatever_the_list_length(
    login, campaign, two_stores, task_count
):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    CallbackTaskFactory.create_batch(task_count, campaign=campaign, store=own, assigned_to=clerk)
    CallbackTaskFactory.create_batch(task_count, campaign=campaign, store=own)
    client = login(clerk)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("callbacks:list"))
    assert response.status_code == 200
    assert len(queries) == EXPECTED_PAGE_QUERIES, "\n".join(q["sql"][:90] for q in queries)


# Session, user, staff scope, campaign, my tasks (count + page), unassigned (page + count),
# my calls today, store totals (tasks + calls today), alerts (campaigns, chases,
# yesterday's shortfalls): none of them per task.
EXPECTED_PAGE_QUERIES = 14


def test_no_active_campaign_says_so(login, two_stores):
    own, _ = two_stores
    page = login(StaffFactory(store=own)).get(reverse("callbacks:list")).content.decode()
    assert "现在没有进行中的活动" in page


def test_active_campaign_prefers_the_one_whose_window_includes_today():
    today = local_today()
    current = CampaignFactory()
    CampaignFactory(
        callbacks_start=today + datetime.timedelta(days=30),
        callbacks_end=today + datetime.timedelta(days=40),
    )
    CampaignFactory(active=False, callbacks_start=today, callbacks_end=today)
    assert active_campaign() == current


def test_a_manager_distributes_evenly_and_by_hand_and_a_clerk_takes_one(login, campaign):
    store = StoreFactory()
    manager = StaffFactory(store=store, role=Role.STORE_MANAGER)
    clerk = StaffFactory(store=store)
    tasks = CallbackTaskFactory.create_batch(4, campaign=campaign, store=store)
    client = login(manager)

    assert client.get(reverse("callbacks:assign")).status_code == 200
    client.post(reverse("callbacks:distribute"))
    assert CallbackTask.objects.filter(assigned_to=manager).count() == 2
    assert CallbackTask.objects.filter(assigned_to=clerk).count() == 2

    client.post(reverse("callbacks:assign"), {"tasks": [t.pk for t in tasks], "staff": clerk.pk})
    assert CallbackTask.objects.filter(assigned_to=clerk).count() == 4

    extra = CallbackTaskFactory(campaign=campaign, store=store)
    clerk_client = login(clerk)
    assert clerk_client.get(reverse("callbacks:assign")).status_code == 403
    clerk_client.post(reverse("callbacks:take", args=[extra.pk]))
    extra.refresh_from_db()
    assert extra.assigned_to == clerk


def test_the_page_folds_the_call_script_and_shows_a_chase(login, campaign, two_stores):
    own, _ = two_stores
    clerk = StaffFactory(store=own)
    manager = StaffFactory(store=own, role=Role.STORE_MANAGER)
    campaign.script = {"offer": "双十一{brand}买1送1"}
    campaign.save()
    CallbackTaskFactory(campaign=campaign, store=own, assigned_to=clerk)
    chase_create(campaign=campaign, staff=clerk, user=manager.user, note="下午前完成")

    page = login(clerk).get(reverse("callbacks:list")).content.decode()
    assert '<details class="card script">' in page
    assert f"双十一{campaign.brand}买1送1" in page
    assert "下午前完成" in page
