import pytest
from django.urls import reverse

from stores.models import Role
from tests.factories import RegionFactory, StaffFactory, StoreFactory, UserFactory, region_lead_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stores():
    return StoreFactory(store_id=307, name="驷马桥店"), StoreFactory(store_id=512, name="青羊宫店")


def test_clerk_gets_404_for_another_stores_page_and_api_object(login, two_stores):
    own, _other = two_stores
    client = login(StaffFactory(store=own))

    assert client.get(reverse("store-detail", args=[307])).status_code == 200
    page = client.get(reverse("store-detail", args=[512]))
    assert page.status_code == 404
    assert "青羊宫店" not in page.content.decode()

    assert client.get("/api/stores/307/").json()["name"] == "驷马桥店"
    api = client.get("/api/stores/512/")
    assert api.status_code == 404
    assert api.json() == {"detail": "未找到。"}
    # A store that does not exist answers exactly like one outside the scope.
    assert client.get("/api/stores/999/").json() == api.json()


def test_user_without_role_sees_no_store(login, two_stores):
    client = login(UserFactory())
    assert client.get("/api/stores/").json()["count"] == 0
    assert client.get(reverse("store-detail", args=[307])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert "还没有分配岗位" in home
    assert "驷马桥店" not in home


def test_region_lead_lists_only_the_region(login):
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    StoreFactory(store_id=307, region=north, name="驷马桥店")
    StoreFactory(store_id=512, region=west, name="青羊宫店")
    client = login(region_lead_of(north))

    stores = client.get("/api/stores/").json()["results"]
    assert [store["store_id"] for store in stores] == [307]
    home = client.get(reverse("home")).content.decode()
    assert "驷马桥店" in home and "青羊宫店" not in home
    assert client.get(reverse("region-detail", args=[west.pk])).status_code == 404


def test_each_role_reaches_its_home_page(login, two_stores):
    own, _ = two_stores
    homes = {
        Role.CLERK: ("本店同事", {"store": own}),
        Role.STORE_MANAGER: ("本店同事", {"store": own}),
        Role.OPERATIONS: ("全公司", {"store": None}),
        Role.FINANCE: ("全公司", {"store": None}),
    }
    for role, (heading, extra) in homes.items():
        client = login(StaffFactory(role=role, **extra))
        assert heading in client.get(reverse("home")).content.decode(), role
        client.logout()


def test_pages_mask_staff_phones(login, two_stores):
    own, _ = two_stores
    StaffFactory(store=own, phone="13812345678")
    client = login(StaffFactory(store=own, role=Role.STORE_MANAGER))
    page = client.get(reverse("store-detail", args=[307])).content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get("/api/stores/").status_code == 403


def test_login_page_logs_in_and_out(client, two_stores):
    staff = StaffFactory(store=two_stores[0], staff_no="S30702")
    page = client.get(reverse("login"))
    assert "员工销售ID" in page.content.decode()
    wrong = client.post(reverse("login"), {"username": "S30702", "password": "nope"})
    assert "请输入一个正确的" in wrong.content.decode()
    assert wrong.context["form"]["username"].value() == "S30702"
    response = client.post(reverse("login"), {"username": "S30702", "password": "test-pass-123"})
    assert response.status_code == 302
    assert staff.name in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
