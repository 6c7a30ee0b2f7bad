import pytest

from callbacks.models import CallbackTask
from tests.callbacks.factories import CallbackTaskFactory, CampaignFactory
from tests.factories import StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    campaign = CampaignFactory()
    store = StoreFactory()
    clerk = StaffFactory(store=store)
    task = CallbackTaskFactory(campaign=campaign, store=store, assigned_to=clerk)
    CallbackTaskFactory(campaign=campaign, store=store)
    CallbackTaskFactory(campaign=campaign)
    return campaign, clerk, task


def test_the_list_is_scoped_filtered_and_masked(login, setup):
    campaign, clerk, task = setup
    client = login(clerk)

    listed = client.get("/api/callback-tasks/", {"campaign": campaign.pk}).json()
    assert listed["count"] == 2
    assert task.phone not in str(listed)
    mine = client.get("/api/callback-tasks/", {"campaign": campaign.pk, "mine": "true"}).json()
    assert [row["id"] for row in mine["results"]] == [task.pk]
    detail = client.get(f"/api/callback-tasks/{task.pk}/").json()
    assert detail["phone_masked"] == f"{task.phone[:3]}****{task.phone[-4:]}"

    missing = client.get("/api/callback-tasks/")
    assert missing.status_code == 400
    assert missing.json() == {"campaign": ["请指定活动（campaign）。"]}


def test_attempts_are_created_through_the_service_and_listed(login, setup):
    _, clerk, task = setup
    client = login(clerk)
    url = f"/api/callback-tasks/{task.pk}/attempts/"

    created = client.post(
        url, {"channel": "phone", "outcome": "reached", "reasons": ["已购买"]}, "application/json"
    )
    assert created.status_code == 201, created.json()
    task.refresh_from_db()
    assert task.status == CallbackTask.Status.DONE

    listed = client.get(url).json()
    assert [(row["channel"], row["staff"]) for row in listed] == [("phone", clerk.staff_no)]


def test_api_errors_are_json_in_chinese(login, setup):
    _, clerk, task = setup
    client = login(clerk)
    url = f"/api/callback-tasks/{task.pk}/attempts/"

    wrong = client.post(url, {"channel": "sms", "outcome": "reached"}, "application/json")
    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "该回访方式不能选这个结果。", "field": "outcome"}
    unknown = client.post(url, {"channel": "fax", "outcome": "sent"}, "application/json")
    assert unknown.json() == {"channel": ["请选择回访方式：电话、短信或微信。"]}

    for _ in range(3):
        client.post(url, {"channel": "phone", "outcome": "no_answer"}, "application/json")
    refused = client.post(url, {"channel": "phone", "outcome": "no_answer"}, "application/json")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "这位会员已电话回访 3 次，不能再登记。"}
