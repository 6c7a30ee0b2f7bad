"""营运部 bind a distributor's phone to a store on the unattributed-orders page, and that
distributor's orders move to the store; a phone another store has is refused."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from common.errors import PermissionDenied
from common.models import AuditEntry
from presale.models import YouzanOrder, YouzanSale
from presale.services import orders_attribute, store_bind_public_phone
from stores.models import Role
from tests.factories import StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("presale:unattributed")
PHONE_512 = "13900000512"
NEW_DISTRIBUTOR = "13711112222"
OTHER_DISTRIBUTOR = "13733334444"


def paid_order(order_no: str, distributor_phone: str, amount: str, *, day: int = 25):
    YouzanOrder.objects.create(
        order_no=order_no,
        status="已完成",
        paid_at=datetime.datetime(2022, 10, day, 10, 11, tzinfo=timezone.get_default_timezone()),
        paid_amount=Decimal(amount),
        items="薇诺娜舒敏保湿特护霜 50g",
    )
    YouzanSale.objects.create(order_no=order_no, distributor_phone=distributor_phone)


@pytest.fixture
def stores():
    return {
        307: StoreFactory(store_id=307, name="驷马桥店", public_phone=""),
        512: StoreFactory(store_id=512, name="青羊宫店", public_phone=PHONE_512),
    }


@pytest.fixture
def orders(stores):
    paid_order("E001", NEW_DISTRIBUTOR, "398.00")
    paid_order("E002", NEW_DISTRIBUTOR, "698.00", day=26)
    paid_order("E003", OTHER_DISTRIBUTOR, "1598.00")
    paid_order("E004", PHONE_512, "268.00")
    orders_attribute()


@pytest.fixture
def operations(login):
    return login(StaffFactory(role=Role.OPERATIONS, store=None))


def stores_of_orders() -> dict[str, int | None]:
    return dict(YouzanOrder.objects.values_list("order_no", "store__store_id"))


def test_the_page_lists_the_unattributed_orders_by_distributor(operations, orders):
    page = operations.get(PAGE).content.decode()

    assert "E001" in page and "E002" in page and "E003" in page
    assert "E004" not in page  # attributed to store 512
    assert NEW_DISTRIBUTOR in page and OTHER_DISTRIBUTOR in page
    assert "¥1,096.00" in page  # the new distributor's two orders
    assert "¥2,694.00" in page  # all three unattributed orders

    filtered = operations.get(PAGE, {"distributor": NEW_DISTRIBUTOR}).content.decode()
    assert "E001" in filtered and "E002" in filtered and "E003" not in filtered
    assert f'value="{NEW_DISTRIBUTOR}"' in filtered  # the bind form starts with that phone


def test_binding_a_distributor_phone_moves_its_orders_to_the_store(operations, orders, stores):
    response = operations.post(
        PAGE, {"phone": f"+86 {NEW_DISTRIBUTOR[:3]}-{NEW_DISTRIBUTOR[3:]}", "store_id": "307"}
    )

    assert response.status_code == 302
    page = operations.get(response.url).content.decode()
    assert f"已把 {NEW_DISTRIBUTOR} 绑定为门店 307 驷马桥店 的公共手机" in page
    assert "该手机号分销的 2 个订单已归入该店" in page
    assert "E001" not in page and "E003" in page
    stores[307].refresh_from_db()
    assert stores[307].public_phone == NEW_DISTRIBUTOR
    assert stores_of_orders() == {"E001": 307, "E002": 307, "E003": None, "E004": 512}
    entry = AuditEntry.objects.get(action="presale.bind_public_phone")
    assert (entry.target_id, entry.detail) == ("307", {"from": "", "to": NEW_DISTRIBUTOR})


def test_rebinding_a_store_leaves_the_old_phones_orders_unattributed(operations, orders, stores):
    response = operations.post(PAGE, {"phone": NEW_DISTRIBUTOR, "store_id": "512"})

    assert response.status_code == 302
    assert stores_of_orders() == {"E001": 512, "E002": 512, "E003": None, "E004": None}


def test_a_phone_another_store_has_is_refused_and_nothing_changes(operations, orders, stores):
    response = operations.post(PAGE, {"phone": PHONE_512, "store_id": "307"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"手机号 {PHONE_512} 已是门店 512 青羊宫店 的公共手机，不能再绑定到门店 307" in page
    assert f'value="{PHONE_512}"' in page and 'value="307"' in page  # what was typed stays
    stores[307].refresh_from_db()
    assert stores[307].public_phone == ""
    assert stores_of_orders() == {"E001": None, "E002": None, "E003": None, "E004": 512}
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"phone": NEW_DISTRIBUTOR, "store_id": "999"}, "门店ID 999 不存在，请核对门店ID。"),
        ({"phone": "1371111", "store_id": "307"}, "“1371111”不是有效的手机号。"),
        ({"phone": NEW_DISTRIBUTOR, "store_id": "驷马桥"}, "门店ID 是数字，例如 307。"),
    ],
    ids=["unknown-store", "bad-phone", "store-name-instead-of-id"],
)
def test_a_bind_that_cannot_be_done_says_why_and_changes_nothing(
    operations, orders, stores, typed, message
):
    response = operations.post(PAGE, typed)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert stores_of_orders() == {"E001": None, "E002": None, "E003": None, "E004": 512}
    assert sorted(filter(None, (s.public_phone for s in stores.values()))) == [PHONE_512]


@pytest.mark.parametrize("role", [Role.CLERK, Role.STORE_MANAGER, Role.FINANCE])
def test_only_operations_reach_the_page(login, orders, stores, role):
    staff = StaffFactory(role=role, store=stores[307] if role != Role.FINANCE else None)
    client = login(staff)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"phone": NEW_DISTRIBUTOR, "store_id": "307"}).status_code == 403
    assert stores_of_orders()["E001"] is None
    with pytest.raises(PermissionDenied):
        store_bind_public_phone(store_id=307, phone=NEW_DISTRIBUTOR, user=staff.user)


def test_operations_home_links_to_the_page(operations):
    assert PAGE in operations.get(reverse("home")).content.decode()


def test_a_long_list_pages_and_keeps_the_distributor_filter(operations, stores):
    for serial in range(55):
        paid_order(f"E1{serial:03d}", NEW_DISTRIBUTOR, "100.00")
    orders_attribute()

    first = operations.get(PAGE, {"distributor": NEW_DISTRIBUTOR}).content.decode()
    second = operations.get(PAGE, {"distributor": NEW_DISTRIBUTOR, "page": 2}).content.decode()

    assert f"?distributor={NEW_DISTRIBUTOR}&amp;page=2" in first
    assert "第 2 / 2 页" in second
    assert second.count("<td>E1") == 5
