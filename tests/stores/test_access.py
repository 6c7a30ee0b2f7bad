import pytest

from stores.access import may_manage_store, restrict, staff_visible, store_get, stores_visible
from stores.models import Role, Staff
from tests.factories import RegionFactory, StaffFactory, StoreFactory, UserFactory, region_lead_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    stores = {
        307: StoreFactory(store_id=307, region=north),
        308: StoreFactory(store_id=308, region=north),
        512: StoreFactory(store_id=512, region=west),
    }
    return north, west, stores


def visible_ids(user):
    return sorted(stores_visible(user).values_list("store_id", flat=True))


def test_each_role_sees_its_own_part_of_the_chain(chain):
    north, _, stores = chain
    clerk = StaffFactory(store=stores[307])
    manager = StaffFactory(store=stores[308], role=Role.STORE_MANAGER)
    lead = region_lead_of(north)
    operations = StaffFactory(role=Role.OPERATIONS, store=None)
    finance = StaffFactory(role=Role.FINANCE, store=None)

    assert visible_ids(clerk.user) == [307]
    assert visible_ids(manager.user) == [308]
    assert visible_ids(lead.user) == [307, 308]
    assert visible_ids(operations.user) == [307, 308, 512]
    assert visible_ids(finance.user) == [307, 308, 512]


def test_a_user_without_a_role_or_an_inactive_one_sees_nothing(chain):
    _, _, stores = chain
    nobody = UserFactory()
    left = StaffFactory(store=stores[307], active=False)
    assert visible_ids(nobody) == []
    assert visible_ids(left.user) == []
    assert list(staff_visible(nobody)) == []


def test_staff_of_a_closed_store_see_nothing(chain):
    _, _, stores = chain
    clerk = StaffFactory(store=stores[307])
    stores[307].active = False
    stores[307].save()
    assert visible_ids(clerk.user) == []


def test_restrict_follows_a_path_to_the_store(chain):
    north, _, stores = chain
    StaffFactory(store=stores[512])
    colleague = StaffFactory(store=stores[307])
    lead = region_lead_of(north)
    staff_of_lead = restrict(lead.user, Staff.objects.all(), store_path="store")
    assert list(staff_of_lead) == [colleague]


def test_store_get_answers_not_found_outside_scope(chain):
    _, _, stores = chain
    clerk = StaffFactory(store=stores[307])
    assert store_get(clerk.user, 307) == stores[307]
    with pytest.raises(Exception) as outside:
        store_get(clerk.user, 512)
    assert outside.value.__class__.__name__ == "NotFound"


def test_who_may_manage_a_store(chain):
    north, _, stores = chain
    clerk = StaffFactory(store=stores[307])
    manager = StaffFactory(store=stores[307], role=Role.STORE_MANAGER)
    lead = region_lead_of(north)
    operations = StaffFactory(role=Role.OPERATIONS, store=None)
    finance = StaffFactory(role=Role.FINANCE, store=None)
    assert not may_manage_store(clerk.user, stores[307])
    assert may_manage_store(manager.user, stores[307])
    assert not may_manage_store(manager.user, stores[308])
    assert may_manage_store(lead.user, stores[308])
    assert not may_manage_store(lead.user, stores[512])
    assert may_manage_store(operations.user, stores[512])
    assert not may_manage_store(finance.user, stores[512])
