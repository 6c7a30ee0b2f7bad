import factory

from stores.models import Region, Role, Staff, Store, User

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"测试{n}片")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    store_id = factory.Sequence(lambda n: 300 + n)
    name = factory.LazyAttribute(lambda store: f"测试门店{store.store_id}")
    region = factory.SubFactory(RegionFactory)
    public_phone = factory.Sequence(lambda n: f"139{n:08d}")
    mailbox = factory.LazyAttribute(lambda store: f"md{store.store_id}@example.cn")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..staff_no"))
    name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.CLERK
    store = factory.SubFactory(StoreFactory)
    phone = factory.Sequence(lambda n: f"158{n:08d}")


def region_lead_of(region: Region, **kwargs) -> Staff:
    lead = StaffFactory(role=Role.REGION_LEAD, store=None, **kwargs)
    region.lead = lead
    region.save()
    return lead
