import datetime
from decimal import Decimal

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from common.errors import PermissionDenied, ServiceError
from common.models import AuditEntry
from presale.models import YouzanOrder, YouzanOrderItem
from presale.services import order_register
from stores.models import Role
from tests.factories import StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db

BUYER_PHONE = "13812345678"


class YouzanOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YouzanOrder

    order_no = factory.Sequence(lambda n: f"E2022102012{n:08d}")
    status = "已发货"
    ordered_at = factory.LazyFunction(timezone.now)
    paid_at = factory.LazyFunction(timezone.now)
    paid_amount = Decimal("398.00")
    items = "薇诺娜舒敏保湿特护霜50g"
    buyer_phone = BUYER_PHONE
    store = factory.SubFactory(StoreFactory)


@pytest.fixture
def store():
    return StoreFactory(store_id=307, name="康宁大药房(驷马桥店)")


@pytest.fixture
def manager(store):
    return StaffFactory(store=store, staff_no="S30701", name="徐梅", role=Role.STORE_MANAGER)


@pytest.fixture
def clerk(store):
    return StaffFactory(store=store, staff_no="S30702", name="郭敏娟")


@pytest.fixture
def colleague(store):
    return StaffFactory(store=store, staff_no="S30703", name="李娜")


@pytest.fixture
def order(store):
    return YouzanOrderFactory(store=store, order_no="E20221020123456789012")


def register_url(order) -> str:
    return reverse("presale_orders:register", args=[order.pk])


def api_url(order, suffix: str = "") -> str:
    return f"/api/presale-orders/{order.order_no}/{suffix}"


def test_a_clerk_registers_an_order_to_a_colleague_from_the_page(login, clerk, colleague, order):
    client = login(clerk)
    response = client.post(
        register_url(order), {"staff_no": colleague.staff_no}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "✓ 已登记给李娜" in response.content.decode()
    order.refresh_from_db()
    assert order.registered_staff == colleague
    entry = AuditEntry.objects.get(action="presale.register")
    assert entry.user == clerk.user
    assert entry.target_id == order.order_no
    assert entry.detail["from"] is None and entry.detail["to"] == "S30703"
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


def test_the_list_defaults_to_the_acting_staff_and_shows_the_orders_facts(
    login, clerk, colleague, manager, order
):
    YouzanOrderItem.objects.create(
        order=order,
        product_name="薇诺娜舒敏保湿特护霜",
        spec="50g",
        qty=Decimal("2.000"),
        paid_amount=Decimal("398.00"),
    )
    YouzanOrderFactory(
        store=order.store, order_no="E-PICKED", buyer_note="已取货", items="清透防晒乳"
    )
    page = login(clerk).get(reverse("presale_orders:list")).content.decode()

    assert "薇诺娜舒敏保湿特护霜（50g） ×2" in page
    assert "清透防晒乳" in page and "已取货" in page and "待取货或配送" in page
    assert "¥398.00" in page
    assert 'value="S30702" selected' in page
    assert "徐梅（店长）" in page and "李娜（店员）" in page


def test_the_store_manager_corrects_a_registered_order(login, clerk, colleague, manager, order):
    order_register(order=order, staff=clerk, user=clerk.user)

    client = login(manager)
    response = client.post(register_url(order), {"staff_no": colleague.staff_no})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.registered_staff == colleague
    changes = list(AuditEntry.objects.filter(action="presale.register").order_by("at", "pk"))
    assert [(entry.user, entry.detail["from"], entry.detail["to"]) for entry in changes] == [
        (clerk.user, None, "S30702"),
        (manager.user, "S30702", "S30703"),
    ]
    assert all(entry.at is not None for entry in changes)


def test_a_clerk_cannot_change_an_already_registered_order(login, clerk, colleague, order):
    order_register(order=order, staff=colleague, user=colleague.user)
    client = login(clerk)

    page = client.get(reverse("presale_orders:list")).content.decode()
    assert "如登记有误，请找店长更正" in page
    response = client.post(
        register_url(order), {"staff_no": clerk.staff_no}, HTTP_HX_REQUEST="true"
    )
    assert "该订单已登记给李娜，只有店长可以更改。" in response.content.decode()
    api = client.post(api_url(order, "register/"), {"staff_no": clerk.staff_no})
    assert api.status_code == 403
    assert api.json()["detail"] == "该订单已登记给李娜，只有店长可以更改。"

    order.refresh_from_db()
    assert order.registered_staff == colleague
    assert AuditEntry.objects.filter(action="presale.register").count() == 1


def test_a_staff_member_of_another_store_cannot_be_chosen(login, clerk, manager, order):
    outsider = StaffFactory(staff_no="S40001", name="外店员工")

    with pytest.raises(ServiceError, match="只能登记为本店的在职员工"):
        order_register(order=order, staff=outsider, user=manager.user)
    response = login(clerk).post(
        register_url(order), {"staff_no": outsider.staff_no}, HTTP_HX_REQUEST="true"
    )
    assert "只能登记为本店的在职员工。" in response.content.decode()
    api = login(clerk).post(api_url(order, "register/"), {"staff_no": outsider.staff_no})
    assert api.status_code == 400
    assert api.json() == {"detail": "只能登记为本店的在职员工。", "field": "staff_no"}

    order.refresh_from_db()
    assert order.registered_staff is None
    assert not AuditEntry.objects.filter(action="presale.register").exists()


def test_an_inactive_colleague_cannot_be_chosen(manager, order, store):
    former = StaffFactory(store=store, staff_no="S30709", active=False)

    with pytest.raises(ServiceError, match="只能登记为本店的在职员工"):
        order_register(order=order, staff=former, user=manager.user)


def test_only_the_orders_own_store_staff_register_it(clerk, order):
    other_store_manager = StaffFactory(role=Role.STORE_MANAGER)
    operations = StaffFactory(role=Role.OPERATIONS, store=None)

    for user in (other_store_manager.user, operations.user):
        with pytest.raises(PermissionDenied):
            order_register(order=order, staff=clerk, user=user)


def test_another_stores_clerk_gets_404_by_page_and_by_api(login, clerk, order):
    other_clerk = StaffFactory(store=StoreFactory(), name="别店店员")
    client = login(other_clerk)

    assert client.post(register_url(order), {"staff_no": other_clerk.staff_no}).status_code == 404
    assert client.get(api_url(order)).status_code == 404
    api = client.post(api_url(order, "register/"), {"staff_no": other_clerk.staff_no})
    assert api.status_code == 404
    assert order.order_no not in client.get(reverse("presale_orders:list")).content.decode()
    assert client.get("/api/presale-orders/").json()["count"] == 0
    order.refresh_from_db()
    assert order.registered_staff is None


def test_unattributed_orders_are_never_shown_to_store_staff(login, clerk):
    lost = YouzanOrderFactory(store=None, order_no="E-UNATTRIBUTED")
    client = login(clerk)

    assert "E-UNATTRIBUTED" not in client.get(reverse("presale_orders:list")).content.decode()
    assert client.post(register_url(lost), {"staff_no": clerk.staff_no}).status_code == 404
    assert client.get(api_url(lost)).status_code == 404


def test_buyer_phones_are_masked_on_the_page_and_in_the_api(login, clerk, order):
    client = login(clerk)

    page = client.get(reverse("presale_orders:list")).content.decode()
    assert "138****5678" in page and BUYER_PHONE not in page
    listing = client.get("/api/presale-orders/").content.decode()
    assert "138****5678" in listing and BUYER_PHONE not in listing
    detail = client.get(api_url(order)).json()
    assert detail["buyer_phone_masked"] == "138****5678"
    assert BUYER_PHONE not in str(detail)


def test_the_api_lists_by_store_and_registration_and_registers_through_the_service(
    login, clerk, colleague, order
):
    older = YouzanOrderFactory(
        store=order.store, paid_at=order.paid_at - datetime.timedelta(days=1)
    )
    client = login(clerk)

    listing = client.get("/api/presale-orders/", {"store_id": 307}).json()
    assert [row["order_no"] for row in listing["results"]] == [order.order_no, older.order_no]
    registered = client.post(api_url(order, "register/"), {"staff_no": colleague.staff_no})
    assert registered.status_code == 200
    assert registered.json()["registered_staff_no"] == "S30703"
    assert registered.json()["registered_staff_name"] == "李娜"
    assert registered.json()["net_amount"] == "398.00"

    unregistered = client.get("/api/presale-orders/", {"registered": "false"}).json()
    assert [row["order_no"] for row in unregistered["results"]] == [older.order_no]
    entry = AuditEntry.objects.get(action="presale.register")
    assert (entry.user, entry.detail["to"]) == (clerk.user, "S30703")


def test_the_api_is_documented(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/presale-orders/{order_no}/register/" in schema


def test_the_page_query_count_does_not_grow_with_the_orders(
    login, clerk, store, django_assert_max_num_queries
):
    for _ in range(15):
        order = YouzanOrderFactory(store=store)
        YouzanOrderItem.objects.create(
            order=order, product_name="特护霜", qty=Decimal("1"), paid_amount=Decimal("1.00")
        )
    client = login(clerk)
    client.get(reverse("presale_orders:list"))  # warm the session and the user's scope

    with django_assert_max_num_queries(10):
        assert client.get(reverse("presale_orders:list")).status_code == 200
