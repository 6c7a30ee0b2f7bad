import datetime
from decimal import Decimal

import factory

from callbacks.models import CallbackTask
from campaigns.models import Campaign
from common.dates import local_today
from members.models import Member
from tests.factories import StoreFactory


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    card_no = factory.Sequence(lambda n: f"8800{n:08d}")
    name = factory.Sequence(lambda n: f"会员{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    store = factory.SubFactory(StoreFactory)


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign whose callback window includes today."""

    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"winona-{n}")
    name = factory.Sequence(lambda n: f"薇诺娜双十一{n}")
    brand = "薇诺娜"
    callbacks_start = factory.LazyFunction(lambda: local_today() - datetime.timedelta(days=3))
    callbacks_end = factory.LazyFunction(lambda: local_today() + datetime.timedelta(days=10))
    presale_start = factory.LazyFunction(lambda: local_today())
    presale_end = factory.LazyFunction(lambda: local_today() + datetime.timedelta(days=20))
    per_member_target = Decimal("300.00")
    presale_share = Decimal("0.40")


class CallbackTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallbackTask

    campaign = factory.SubFactory(CampaignFactory)
    store = factory.SubFactory(StoreFactory)
    member = factory.SubFactory(MemberFactory, store=factory.SelfAttribute("..store"))
    phone = factory.LazyAttribute(lambda task: task.member.phone)
    spend_last_year = Decimal("100.00")
    last_purchase_on = factory.LazyFunction(lambda: local_today() - datetime.timedelta(days=60))
